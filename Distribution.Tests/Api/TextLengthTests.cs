using System.Text;
using ChargeManager.Distribution.Api;
using Xunit;

namespace ChargeManager.Distribution.Tests.Api;

/// <summary>String limits count UTF-8 bytes, as WARP's do: a name that fits here fits a WARP.</summary>
public class TextLengthTests
{
    [Theory]
    [InlineData("warp2-AbCd")]
    [InlineData("été")]
    [InlineData("🚗🚗 car")]
    [InlineData("\u4e2d\u6587")]
    public void Utf8Length_IsWhatTheEncoderWrites(string text)
    {
        Assert.Equal(Encoding.UTF8.GetByteCount(text), FieldReader.Utf8Length(text));
    }

    [Fact]
    public void AChargerNameOf34Bytes_IsRejected_And32BytesOfEmoji_Accepted()
    {
        var net = new WarpNet();
        net.Add("127.0.52.200");
        net.Start(new[] { "127.0.52.200" }, defaultCurrent: 16000);
        string Config(string name) => "{\"enable_charge_manager\":true,\"enable_watchdog\":false,\"default_available_current\":16000,"
            + "\"maximum_available_current\":32000,\"minimum_current_auto\":false,\"minimum_current\":6000,\"minimum_current_1p\":6000,"
            + "\"minimum_current_vehicle_type\":0,\"verbose\":false,\"requested_current_threshold\":60,\"requested_current_margin\":3000,"
            + "\"chargers\":[{\"host\":\"127.0.52.200\",\"name\":\"" + name + "\"}]}";
        Assert.Equal(400, net.Post("config", Config(string.Concat(Enumerable.Repeat("é", 17)))));
        Assert.Contains("chargers[0].name is longer than 32 bytes", net.App.ErrorText);
        Assert.Equal(200, net.Post("config", Config(string.Concat(Enumerable.Repeat("🚗", 8)))));
    }
}
