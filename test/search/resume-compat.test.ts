import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkResumeCompatible } from '../../src/search/resume.ts';
import { DEFAULT_SEARCH_OPTIONS } from '../../src/search/search-options.ts';
import type { SearchOptions } from '../../src/search/search-options.ts';

const measured: SearchOptions = { ...DEFAULT_SEARCH_OPTIONS, sec_obj: ['latency_ms'], board: ['nucleo-l4r5zi'], tiny_ml_source: 'measured' };

test('a resume keeps the boards, their aggregation and the tiny_ml source: the archive\'s values depend on them', () => {
  checkResumeCompatible({ ...measured }, measured, 'runs/x');
  assert.throws(() => checkResumeCompatible({ ...measured }, { ...measured, board: ['rpi4'] }, 'runs/x'), /was run with another board: board \["nucleo-l4r5zi"\] there, \["rpi4"\] now/);
  assert.throws(() => checkResumeCompatible({ ...measured }, { ...measured, board_agg: 'each' }, 'runs/x'), /another board_agg/);
  assert.throws(() => checkResumeCompatible({ ...measured }, { ...measured, tiny_ml_source: 'cost' }, 'runs/x'), /another tiny_ml_source/);
});

test('a run.json written before a setting existed resumes with that setting\'s default', () => {
  const old: Partial<SearchOptions> = { ...DEFAULT_SEARCH_OPTIONS };
  delete old.tiny_ml_source;
  delete old.board_agg;
  checkResumeCompatible(old, DEFAULT_SEARCH_OPTIONS, 'runs/old');
  assert.throws(() => checkResumeCompatible(old, { ...DEFAULT_SEARCH_OPTIONS, tiny_ml_source: 'measured' }, 'runs/old'), /tiny_ml_source "cost" there, "measured" now/);
});
