/*
 * Reference for test/cups/options.test.ts: libcups's own cupsParseOptions() on each argument.
 * Prints every option as name US value RS, and GS after each argument's options.
 */
#include <cups/cups.h>
#include <stdio.h>

int main(int argc, char *argv[])
{
  for (int i = 1; i < argc; i++) {
    cups_option_t *options = NULL;
    int n = cupsParseOptions(argv[i], 0, &options);
    for (int j = 0; j < n; j++)
      printf("%s\x1f%s\x1e", options[j].name, options[j].value);
    putchar('\x1d');
    cupsFreeOptions(n, options);
  }
  return 0;
}
