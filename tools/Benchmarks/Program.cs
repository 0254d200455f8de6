using BenchmarkDotNet.Running;

// dotnet run -c Release --project tools/Benchmarks -- --filter '*'            (full statistics)
// dotnet run -c Release --project tools/Benchmarks -- --filter '*' --job short (about a minute)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
