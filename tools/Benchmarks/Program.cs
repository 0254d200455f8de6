using BenchmarkDotNet.Running;

// dotnet run -c Release --project tools/Benchmarks/ChargeManager.Benchmarks.csproj -- --filter '*' [--job short]
//     allocator and link benchmarks (BenchmarkDotNet). The end-to-end latency is the scenario tool's --latency.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
