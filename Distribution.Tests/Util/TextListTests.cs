using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Util;
using Xunit;

namespace ChargeManager.Distribution.Tests.Util;

public class TextListTests
{
    static readonly string[] Items = { "10.0.0.2", "", null, "warp2-22oH.local", "Gäste \"A\" 😀\\", "x" };

    [Fact]
    public void ItemsReadBackAsWritten_NullsAndEmptyAndTextOutsideTheBmpIncluded()
    {
        TextList list = Items;
        Assert.Equal(Items.Length, list.Length);
        for (int i = 0; i < Items.Length; i++)
            Assert.Equal(Items[i], list[i]);
        Assert.Equal(Items, list.ToArray());
    }

    [Fact]
    public void SettingAnItem_ChangesOnlyThatItem()
    {
        var list = new TextList(3);
        Assert.Null(list[1]);
        list[1] = "middle";
        list[0] = "first, longer than before";
        list[2] = "";
        list[1] = "m";
        Assert.Equal(new[] { "first, longer than before", "m", "" }, list.ToArray());
    }

    [Fact]
    public void WriteValue_WritesWhatValueOfTheStringWrites()
    {
        TextList list = Items;
        var fromList = new JsonWriter(64);
        var fromString = new JsonWriter(64);
        fromList.BeginArray();
        fromString.BeginArray();
        for (int i = 0; i < Items.Length; i++)
        {
            list.WriteValue(fromList, i);
            fromString.Value(Items[i]);
        }
        fromList.EndArray();
        fromString.EndArray();
        Assert.Equal(fromString.ToString(), fromList.ToString());
        Assert.Contains("\"Gäste \\\"A\\\" 😀\\\\\"", fromList.ToString());
        Assert.Contains("null", fromList.ToString());
    }
}
