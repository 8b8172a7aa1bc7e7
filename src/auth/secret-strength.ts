/** Chosen secrets (an admin's PARTNER_SECRET) need as much entropy as a generated one is sure to have. */
export const CHOSEN_SECRET_MIN_LENGTH = 32;
export const CHOSEN_SECRET_MIN_BITS = 128;
const MIN_DISTINCT_CHARACTERS = 10;

/**
 * Why a chosen secret is too weak, or null. A conservative estimate, not a proof: the string's
 * own character frequencies give the bits per character (Shannon), and characters that merely
 * repeat the previous one or continue a run such as `abcd` or `2468` count for nothing. A random
 * base64 or hex string of 43 or 64 characters (`openssl rand -base64 32`, `-hex 32`) passes.
 */
export function chosenSecretWeakness(secret: string): string | null {
  const chars = Array.from(secret);
  if (chars.length < CHOSEN_SECRET_MIN_LENGTH) return `must be at least ${CHOSEN_SECRET_MIN_LENGTH} characters long`;
  const period = smallestPeriod(chars);
  if (period <= chars.length / 2) return `repeats a pattern of ${period} characters`;
  const distinct = new Set(chars).size;
  if (distinct < MIN_DISTINCT_CHARACTERS) return `uses only ${distinct} distinct characters`;
  const bits = estimatedBits(chars);
  if (bits < CHOSEN_SECRET_MIN_BITS) {
    return `has an estimated ${Math.floor(bits)} bits of entropy; at least ${CHOSEN_SECRET_MIN_BITS} are needed (generate one: openssl rand -base64 32)`;
  }
  return null;
}

function smallestPeriod(chars: string[]): number {
  for (let p = 1; p < chars.length; p++) {
    let repeats = true;
    for (let i = p; i < chars.length && repeats; i++) repeats = chars[i] === chars[i - p];
    if (repeats) return p;
  }
  return chars.length;
}

function estimatedBits(chars: string[]): number {
  const counts = new Map<string, number>();
  for (const char of chars) counts.set(char, (counts.get(char) ?? 0) + 1);
  let perChar = 0;
  for (const count of counts.values()) perChar -= (count / chars.length) * Math.log2(count / chars.length);
  const codes = chars.map((char) => char.codePointAt(0)!);
  let unpredictable = 0;
  for (let i = 0; i < codes.length; i++) {
    const step = i > 0 ? codes[i] - codes[i - 1] : NaN;
    const runs = i > 1 && step === codes[i - 1] - codes[i - 2] && Math.abs(step) <= 2;
    if (step !== 0 && !runs) unpredictable++;
  }
  return perChar * unpredictable;
}
