/* Entry points shared between the core's own modules; boards use firmware.h only. */
#ifndef CNAS_INTERNAL_H
#define CNAS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "firmware.h"

/* Binary mode: runs one checked request frame (or replays its stored response) and answers it. */
void cnas_dispatch(cnas_fw *fw, const uint8_t *frame, size_t len);

/* Answers a frame that failed its checks; seq is the frame's own when it got that far, else 0. */
void cnas_send_nak(cnas_fw *fw, uint8_t seq, uint8_t reason);

/* Text mode: runs one MLPerf Tiny command (the text before '%'). */
void cnas_text_command(cnas_fw *fw, char *command);

/* Switches the link rate after a SET_BAUD response and arms the 2 s fallback. */
void cnas_fw_switch_baud(cnas_fw *fw, uint32_t baud);

#endif
