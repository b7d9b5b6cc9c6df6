import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexOfWord } from './extract.js';
import { RecentTexts } from './recent-texts.js';

test('indexOfWord finds what indexOf finds with the blank in front', () => {
  const texts = [
    'Failed password for root from 203.0.113.7 port 52014 ssh2',
    'from from  from x from',
    ' from',
    'from ',
    'fromfrom from',
    '',
    'a from b',
  ];
  for (const text of texts) {
    for (const word of ['from', 'from ', 'port ', 'f', 'x']) {
      for (let from = -2; from <= text.length + 1; from++) {
        assert.equal(
          indexOfWord(text, word, from),
          text.indexOf(' ' + word, from),
          `${JSON.stringify(text)} ${word} ${from}`,
        );
      }
    }
  }
});

test('RecentTexts answers for a text equal to one stored, slice or not', () => {
  const cache = new RecentTexts<number>(8);
  assert.equal(cache.get('sshd'), undefined);
  cache.set('sshd', 1);
  cache.set('kernel', 2);
  assert.equal(cache.get('sshd'), 1);
  assert.equal(cache.get('gw sshd[1]', 3, 7), 1);
  assert.equal(cache.get('kernel'), 2);
  assert.equal(cache.get('sshd2'), undefined);
  assert.equal(cache.get('sxhd'), undefined);
  assert.equal(cache.get(''), undefined);
  cache.set('', 3);
  assert.equal(cache.get(''), 3);
  assert.equal(cache.get('x', 1, 1), 3);
});
