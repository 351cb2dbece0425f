/* external-device: a stand-in for a real device or an emulator in the loop.
 *
 * It attaches to a twin's serial link the way firmware on hardware would (a TCP connection or
 * a tty), speaks the module's wire protocol as a Notecard-style host library does, and checks
 * every answer. Usage:
 *     external-device tcp HOST PORT
 *     external-device tty PATH
 * Exit status 0 when every exchange went as expected; otherwise it prints what did not.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int link_fd = -1;
static char pending[8192]; /* bytes read beyond the last line returned */
static size_t pending_bytes;

static void fail(const char* what, const char* detail) {
  fprintf(stderr, "external-device: %s%s%s\n", what, detail != NULL ? ": " : "",
          detail != NULL ? detail : "");
  exit(1);
}

static void pause_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

static void send_text(const char* text) {
  size_t left = strlen(text);
  while (left > 0) {
    const ssize_t n = write(link_fd, text, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write", strerror(errno));
    text += n;
    left -= (size_t)n;
  }
}

/* Reads one line (without its "\r\n") within timeout_ms; returns 0 on timeout. */
static int read_line(char* out, size_t capacity, int timeout_ms) {
  for (;;) {
    char* newline = memchr(pending, '\n', pending_bytes);
    if (newline != NULL) {
      size_t length = (size_t)(newline - pending);
      const size_t consumed = length + 1;
      if (length > 0 && pending[length - 1] == '\r') --length;
      if (length >= capacity) fail("answer too long", NULL);
      memcpy(out, pending, length);
      out[length] = '\0';
      memmove(pending, pending + consumed, pending_bytes - consumed);
      pending_bytes -= consumed;
      return 1;
    }
    struct pollfd p = {link_fd, POLLIN, 0};
    const int ready = poll(&p, 1, timeout_ms);
    if (ready == 0) return 0;
    if (ready < 0) fail("poll", strerror(errno));
    const ssize_t n = read(link_fd, pending + pending_bytes, sizeof pending - pending_bytes);
    if (n <= 0) fail("read", n == 0 ? "link closed" : strerror(errno));
    pending_bytes += (size_t)n;
  }
}

/* Sends a request line and returns its answer; fails if none comes. */
static void exchange(const char* request, char* answer, size_t capacity) {
  send_text(request);
  send_text("\n");
  if (!read_line(answer, capacity, 5000)) fail("no answer to", request);
}

static void expect_ok(const char* request) {
  char answer[1024];
  exchange(request, answer, sizeof answer);
  if (answer[0] != '{' || strstr(answer, "\"err\"") != NULL) fail("unexpected answer", answer);
}

static void connect_tcp(const char* host, const char* port) {
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo* found = NULL;
  if (getaddrinfo(host, port, &hints, &found) != 0) fail("cannot resolve", host);
  link_fd = socket(found->ai_family, SOCK_STREAM, 0);
  if (link_fd < 0 || connect(link_fd, found->ai_addr, found->ai_addrlen) != 0) {
    fail("connect", strerror(errno));
  }
  freeaddrinfo(found);
}

static void open_tty(const char* path) {
  link_fd = open(path, O_RDWR | O_NOCTTY);
  if (link_fd < 0) fail(path, strerror(errno));
  struct termios mode;
  if (tcgetattr(link_fd, &mode) == 0) {
    cfmakeraw(&mode);
    tcsetattr(link_fd, TCSANOW, &mode);
  }
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[1], "tcp") == 0) {
    connect_tcp(argv[2], argv[3]);
  } else if (argc == 3 && strcmp(argv[1], "tty") == 0) {
    open_tty(argv[2]);
  } else {
    fprintf(stderr, "usage: external-device tcp HOST PORT | tty PATH\n");
    return 2;
  }
  char answer[1024];

  /* Reset the link as host libraries do: a newline, then drain until only newlines come. */
  send_text("\n");
  if (!read_line(answer, sizeof answer, 5000) || answer[0] != '\0') fail("link reset", answer);

  expect_ok(
      "{\"req\":\"hub.set\",\"product\":\"com.example.twelvefold:external\","
      "\"mode\":\"periodic\"}");

  /* A request written in segments with pauses, as note-c writes long requests. */
  send_text("{\"req\":\"note.add\",\"file\":\"sensors.qo\",");
  pause_ms(30);
  send_text("\"body\":{\"temp\":21.5,\"source\":\"external\"}}\r\n");
  if (!read_line(answer, sizeof answer, 5000)) fail("no answer to the segmented note.add", NULL);
  if (strstr(answer, "\"err\"") != NULL) fail("segmented note.add", answer);

  /* A cmd gets no answer: the next line read must be the answer to the following request. */
  send_text("{\"cmd\":\"note.add\",\"file\":\"sensors.qo\",\"body\":{\"temp\":22.0}}\n");
  exchange("{\"req\":\"hub.sync\"}", answer, sizeof answer);
  if (strstr(answer, "\"err\"") != NULL) fail("hub.sync", answer);

  exchange("{\"req\":\"no.such.request\"}", answer, sizeof answer);
  if (strstr(answer, "\"err\"") == NULL) fail("an unknown request got no err", answer);

  expect_ok("{\"req\":\"hub.sync.status\"}");
  printf("external-device: all exchanges as expected\n");
  close(link_fd);
  return 0;
}
