/* A main for the fuzz targets when they are built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on every file named on the command line, or in
 * a folder named there (options starting with '-' are ignored, so the test
 * can pass libFuzzer's -runs=0 either way). Exits non-zero if it read nothing. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static int run_file(const char* path) {
  FILE* f = fopen(path, "rb");
  uint8_t* buf;
  long n;
  if (!f) {
    perror(path);
    return 0;
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = (uint8_t*)malloc(n > 0 ? (size_t)n : 1);
  if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
    fclose(f);
    free(buf);
    return 0;
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, (size_t)n);
  free(buf);
  return 1;
}

static int run_path(const char* path) {
  struct stat st;
  DIR* dir;
  struct dirent* e;
  int count = 0;
  char child[4096];
  if (stat(path, &st) != 0) {
    perror(path);
    return 0;
  }
  if (!S_ISDIR(st.st_mode)) return run_file(path);
  dir = opendir(path);
  if (!dir) return 0;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] == '.') continue;
    snprintf(child, sizeof child, "%s/%s", path, e->d_name);
    count += run_path(child);
  }
  closedir(dir);
  return count;
}

int main(int argc, char** argv) {
  int i, count = 0;
  for (i = 1; i < argc; ++i)
    if (argv[i][0] != '-') count += run_path(argv[i]);
  printf("replayed %d inputs\n", count);
  return count > 0 ? 0 : 1;
}
