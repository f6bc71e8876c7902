/*
 * Two's-complement integer steps as sensor datasheets write them: their
 * reference code computes in int32_t (or int64_t) and, compiled as it
 * usually is (the Linux kernel builds with -fno-strict-overflow), wraps on
 * overflow, shifts negative values left and right arithmetically. In C those
 * are undefined or implementation-defined, so each step is spelled out here:
 * computed in the unsigned type of the same width, where wrapping is
 * defined, and converted back (GCC and clang define that conversion as
 * modulo 2^N). The results equal the reference code's bit for bit, for every
 * input, without undefined behaviour.
 */
#ifndef MURICLE_WRAP_H
#define MURICLE_WRAP_H

#include <stdint.h>

static inline int32_t w32_add(int32_t a, int32_t b)
{
	return (int32_t)((uint32_t)a + (uint32_t)b);
}

static inline int32_t w32_sub(int32_t a, int32_t b)
{
	return (int32_t)((uint32_t)a - (uint32_t)b);
}

static inline int32_t w32_mul(int32_t a, int32_t b)
{
	return (int32_t)((uint32_t)a * (uint32_t)b);
}

/* a << n, n < 32. */
static inline int32_t w32_shl(int32_t a, unsigned n)
{
	return (int32_t)((uint32_t)a << n);
}

/* a >> n as an arithmetic shift (floor(a / 2^n)), n < 32. ~a of a negative
 * value is not negative, so only non-negative values are shifted. */
static inline int32_t w32_asr(int32_t a, unsigned n)
{
	return a < 0 ? ~(~a >> n) : a >> n;
}

/* a / b truncated towards zero, b != 0; INT32_MIN / -1 wraps to INT32_MIN. */
static inline int32_t w32_div(int32_t a, int32_t b)
{
	return b == -1 ? w32_sub(0, a) : a / b;
}

static inline int64_t w64_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static inline int64_t w64_sub(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

static inline int64_t w64_mul(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a * (uint64_t)b);
}

static inline int64_t w64_shl(int64_t a, unsigned n)
{
	return (int64_t)((uint64_t)a << n);
}

static inline int64_t w64_asr(int64_t a, unsigned n)
{
	return a < 0 ? ~(~a >> n) : a >> n;
}

static inline int64_t w64_div(int64_t a, int64_t b)
{
	return b == -1 ? w64_sub(0, a) : a / b;
}

/* num / den (den > 0) rounded to the nearest integer, halves away from
 * zero: one rounding, in integers, from an exact fixed-point result. */
static inline int64_t round_div(int64_t num, int64_t den)
{
	return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

#endif
