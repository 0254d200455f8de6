using BenchmarkDotNet.Running;
using ChargeManager.Benchmarks;

// dotnet run -c Release --project tools/Benchmarks/ChargeManager.Benchmarks.csproj -- --filter '*' [--job short]
//     allocator and link benchmarks (BenchmarkDotNet)
// dotnet run -c Release --project tools/Benchmarks/ChargeManager.Benchmarks.csproj -- latency [ROUNDS]
//     limit written over HTTP -> 64 emulated chargers within it, p50/p99 (real time, about 10 s a round)
if (args.Length > 0 && args[0] == "latency")
{
    await LimitLatency.Run(args.Length > 1 ? int.Parse(args[1]) : 30);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
