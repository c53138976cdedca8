{
  "targets": [
    {
      "target_name": "lstm_kernel",
      "sources": ["native/lstm_bindings.cc", "native/lstm_math.cc", "native/mlp_kernel.cc"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags_cc": ["-O3", "-march=native", "-ffast-math", "-fno-finite-math-only", "-std=c++17", "-pthread"],
      "ldflags": ["-pthread"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-ffast-math", "-fno-finite-math-only", "-std=c++17"] },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/O2", "/fp:fast"] } }
    }
  ]
}
