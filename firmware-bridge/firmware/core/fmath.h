/* The little floating-point maths the exit rules need, without libm: the core links against nothing but the
 * string functions (see the Makefile's arm check). */
#ifndef CNAS_FMATH_H
#define CNAS_FMATH_H

/* e^x for any float x, relative error below 1e-6; 0 below -87, saturating above 88. */
float cnas_expf(float x);

#endif
