using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Allocation;

public class ShedOnlyWhatMustGoTests
{
    readonly ITestOutputHelper output;
    public ShedOnlyWhatMustGoTests(ITestOutputHelper output) { this.output = output; }

    [Fact]
    public void ALowerLimitWhereOneMinimumFits_PausesOnlyOne()
    {
        var bench = new AllocatorBench(3, c => c.SetMinimums(true, 1, 6000, 6000));
        bench.Set(0, VehicleState.Charging, 3);
        bench.Set(2, VehicleState.Charging, 1);
        bench.Run(16000);
        for (long t = 0; t < 60_000; t += 5000) { bench.Advance(5000); bench.Run(16000); }
        bench.Set(1, VehicleState.Ready, 3);      // plugs in: welcome charge
        bench.Run(16000);
        for (long t = 0; t < 18_000; t += 5000) { bench.Advance(5000); bench.Run(16000); }
        for (int i = 0; i < 3; i++)
            output.WriteLine($"before {i}: {bench.Alloc[i].Current} mA {bench.Alloc[i].Phases}p {bench.Alloc[i].Reason}");
        bench.Advance(1000);
        bench.Run(14000);
        for (int i = 0; i < 3; i++)
            output.WriteLine($"after {i}: {bench.Alloc[i].Current} mA {bench.Alloc[i].Phases}p {bench.Alloc[i].Reason}");
        Assert.Equal(1, bench.Active());
    }
}
