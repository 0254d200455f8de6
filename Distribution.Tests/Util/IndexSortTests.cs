using ChargeManager.Distribution.Util;
using CsCheck;
using Xunit;

namespace ChargeManager.Distribution.Tests.Util;

public class IndexSortTests
{
    [Fact]
    public void SortsByKeyThenIndex_LikeAStableSort()
    {
        Gen.Long[-5, 5].Array[0, 200].Sample(keys =>
        {
            int[] order = Enumerable.Range(0, keys.Length).ToArray();
            IndexSort.Ascending(order, order.Length, keys);
            var expected = Enumerable.Range(0, keys.Length).OrderBy(i => keys[i]).ThenBy(i => i).ToArray();
            Assert.Equal(expected, order);
        });
    }

    [Fact]
    public void AnyStartingOrder_AnySize_GivesTheSameTotalOrder()
    {
        // Insertion sort up to 64 entries, heap sort above, a single pass when already in order: one result.
        Gen.Select(Gen.Long[-3, 3].Array[0, 150], Gen.Int).Sample((keys, seed) =>
        {
            int[] order = Enumerable.Range(0, keys.Length).OrderBy(i => (i * 7919 + seed) % 1009).ToArray();
            IndexSort.Ascending(order, order.Length, keys);
            var expected = Enumerable.Range(0, keys.Length).OrderBy(i => keys[i]).ThenBy(i => i).ToArray();
            Assert.Equal(expected, order);
        });
    }
}
