/**
 * The CLI's stderr without the one-line note it prints where the native kernels are not built
 * (a machine without a C++ compiler), so that tests of its messages pass there too.
 */
export function withoutKernelNote(stderr: string): string {
  return stderr.replace(/^note: the native LSTM kernel is not built;[^\n]*\n/, '');
}
