/* tf_json_number / tf_json_string / tf_json_is_error: read one top-level field of a flat JSON
 * object (a module response) without a JSON library, as firmware on a small MCU would.
 *
 * The scanner walks the text once, top-level keys only: nested objects and arrays are skipped
 * whole, so a "text" inside "body" never answers for a top-level "text". It is defensive rather
 * than validating: it stops at the first NUL whatever the nesting (a truncated response is just
 * a shorter text), and a value that does not end before the NUL counts as absent, so a response
 * cut short by TF_ERR_NO_SPACE never yields half a number or half a string.
 */
#include <stdlib.h>

#include "twelvefold/firmware.h"

static const char* skip_space(const char* p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
  return p;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads the 4 hex digits of a \uXXXX escape at p (just past the 'u'). -1 if malformed. A NUL
 * is not a hex digit, so this never reads past the end. */
static long read_hex4(const char* p) {
  long value = 0;
  for (int i = 0; i < 4; ++i) {
    const int digit = hex_digit(p[i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

static int encode_utf8(unsigned long code_point, char out[4]) {
  if (code_point < 0x80) {
    out[0] = (char)code_point;
    return 1;
  }
  if (code_point < 0x800) {
    out[0] = (char)(0xC0 | (code_point >> 6));
    out[1] = (char)(0x80 | (code_point & 0x3F));
    return 2;
  }
  if (code_point < 0x10000) {
    out[0] = (char)(0xE0 | (code_point >> 12));
    out[1] = (char)(0x80 | ((code_point >> 6) & 0x3F));
    out[2] = (char)(0x80 | (code_point & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (code_point >> 18));
  out[1] = (char)(0x80 | ((code_point >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((code_point >> 6) & 0x3F));
  out[3] = (char)(0x80 | (code_point & 0x3F));
  return 4;
}

/* Decodes the next character of a string body at *cursor into UTF-8 bytes. Returns how many
 * bytes it wrote (1..4), 0 at the closing quote (consumed), -1 on malformed input or NUL. */
static int next_char(const char** cursor, char out[4]) {
  const char* p = *cursor;
  const char c = *p;
  if (c == '\0') return -1;
  if (c == '"') {
    *cursor = p + 1;
    return 0;
  }
  if (c != '\\') {
    out[0] = c;
    *cursor = p + 1;
    return 1;
  }
  const char escaped = p[1];
  int n = 1;
  switch (escaped) {
    case '"':
      out[0] = '"';
      break;
    case '\\':
      out[0] = '\\';
      break;
    case '/':
      out[0] = '/';
      break;
    case 'b':
      out[0] = '\b';
      break;
    case 'f':
      out[0] = '\f';
      break;
    case 'n':
      out[0] = '\n';
      break;
    case 'r':
      out[0] = '\r';
      break;
    case 't':
      out[0] = '\t';
      break;
    case 'u': {
      long unit = read_hex4(p + 2);
      if (unit < 0) return -1;
      p += 6;
      unsigned long code_point = (unsigned long)unit;
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        /* A high surrogate must pair with a low one; a lone half decodes as U+FFFD. */
        const long low = (p[0] == '\\' && p[1] == 'u') ? read_hex4(p + 2) : -1;
        if (low >= 0xDC00 && low <= 0xDFFF) {
          code_point =
              0x10000 + (((unsigned long)unit - 0xD800) << 10) + ((unsigned long)low - 0xDC00);
          p += 6;
        } else {
          code_point = 0xFFFD;
        }
      } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
        code_point = 0xFFFD;
      }
      *cursor = p;
      return encode_utf8(code_point, out);
    }
    default:
      return -1; /* includes NUL right after the backslash */
  }
  *cursor = p + 2;
  return n;
}

/* Skips a string whose opening quote is at p. Returns the position after the closing quote, or
 * NULL if the text ends first. */
static const char* skip_string(const char* p) {
  char scratch[4];
  ++p;
  for (;;) {
    const int n = next_char(&p, scratch);
    if (n < 0) return NULL;
    if (n == 0) return p;
  }
}

/* Skips any value at p (already past leading space). NULL if it does not end before the NUL. */
static const char* skip_value(const char* p) {
  if (*p == '"') return skip_string(p);
  if (*p == '{' || *p == '[') {
    /* Brackets are only counted, not matched by kind: enough to find where the value ends. */
    unsigned depth = 0;
    for (;;) {
      const char c = *p;
      if (c == '\0') return NULL;
      if (c == '"') {
        p = skip_string(p);
        if (p == NULL) return NULL;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return p + 1;
      }
      ++p;
    }
  }
  /* Number or literal: runs to the next delimiter, which must exist. */
  const char* start = p;
  while (*p != '\0' && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
         *p != '\n' && *p != '\r') {
    ++p;
  }
  if (p == start || *p == '\0') return NULL;
  return p;
}

/* Compares the string at p (opening quote) with key after decoding escapes. Stores the position
 * after the closing quote in *end (NULL if the string never closes). */
static int string_equals(const char* p, const char* key, const char** end) {
  char bytes[4];
  int equal = 1;
  ++p;
  for (;;) {
    const int n = next_char(&p, bytes);
    if (n < 0) {
      *end = NULL;
      return 0;
    }
    if (n == 0) break;
    for (int i = 0; i < n && equal; ++i) {
      if (*key == '\0' || *key != bytes[i]) {
        equal = 0;
      } else {
        ++key;
      }
    }
  }
  *end = p;
  return equal && *key == '\0';
}

/* Finds the value of top-level `key` in the object `json`: a pointer to its first character,
 * or NULL if absent or the text is malformed before it. The first occurrence wins. */
static const char* find_value(const char* json, const char* key) {
  if (json == NULL || key == NULL) return NULL;
  const char* p = skip_space(json);
  if (*p != '{') return NULL;
  p = skip_space(p + 1);
  while (*p == '"') {
    const char* after_key = NULL;
    const int match = string_equals(p, key, &after_key);
    if (after_key == NULL) return NULL;
    p = skip_space(after_key);
    if (*p != ':') return NULL;
    p = skip_space(p + 1);
    if (*p == '\0') return NULL;
    if (match) return p;
    p = skip_value(p);
    if (p == NULL) return NULL;
    p = skip_space(p);
    if (*p != ',') return NULL; /* '}' ends the object; anything else is malformed */
    p = skip_space(p + 1);
  }
  return NULL;
}

/* Length of the JSON number at p, or 0 if p does not hold one that ends at a delimiter. Checked
 * by hand because strtod also takes hex, "inf", "nan" and leading spaces, which JSON does not. */
static size_t number_length(const char* p) {
  const char* q = p;
  if (*q == '-') ++q;
  if (*q == '0') {
    ++q;
  } else if (*q >= '1' && *q <= '9') {
    while (*q >= '0' && *q <= '9') ++q;
  } else {
    return 0;
  }
  if (*q == '.') {
    ++q;
    if (!(*q >= '0' && *q <= '9')) return 0;
    while (*q >= '0' && *q <= '9') ++q;
  }
  if (*q == 'e' || *q == 'E') {
    ++q;
    if (*q == '+' || *q == '-') ++q;
    if (!(*q >= '0' && *q <= '9')) return 0;
    while (*q >= '0' && *q <= '9') ++q;
  }
  const char end = *q;
  if (end != ',' && end != '}' && end != ']' && end != ' ' && end != '\t' && end != '\n' &&
      end != '\r') {
    return 0;
  }
  return (size_t)(q - p);
}

double tf_json_number(const char* json, const char* key, double fallback) {
  const char* value = find_value(json, key);
  if (value == NULL || number_length(value) == 0) return fallback;
  return strtod(value, NULL);
}

int tf_json_string(const char* json, const char* key, char* out, size_t capacity) {
  const int can_write = out != NULL && capacity > 0;
  if (can_write) out[0] = '\0';
  const char* value = find_value(json, key);
  if (value == NULL || *value != '"') return 0;
  /* Decode into out as far as it fits (never splitting a UTF-8 sequence), but keep scanning to
   * the closing quote: a string the text cuts short is absent, not truncated. */
  const char* p = value + 1;
  size_t length = 0;
  int full = 0;
  char bytes[4];
  for (;;) {
    const int n = next_char(&p, bytes);
    if (n < 0) {
      if (can_write) out[0] = '\0';
      return 0;
    }
    if (n == 0) break;
    if (!can_write || full) continue;
    if (length + (size_t)n > capacity - 1) {
      full = 1;
      continue;
    }
    for (int i = 0; i < n; ++i) out[length++] = bytes[i];
  }
  if (can_write) out[length] = '\0';
  return 1;
}

int tf_json_is_error(const char* json) { return find_value(json, "err") != NULL; }
