using System.Text;
using ChargeManager.Distribution.Util;
using Xunit;

namespace ChargeManager.Distribution.Tests.Util
{
    public class Utf8Tests
    {
        [Theory]
        [InlineData("")]
        [InlineData("warp2-AbC")]
        [InlineData("Käfer ß ø")]
        [InlineData("€ 漢字 \u07FF \u0800 \uFFFD")]
        [InlineData("😀 car 🚗 \U0010FFFF")]
        public void EncodesAsDotNetDoes_AndDecodesBack(string text)
        {
            byte[] expected = Encoding.UTF8.GetBytes(text);
            byte[] into = new byte[text.Length * 3 + 4];
            int n = Utf8.Encode(text.ToCharArray(), into, 0, into.Length);
            Assert.Equal(expected, into[..n]);
            Assert.Equal(expected.Length, Utf8.Length(text.ToCharArray(), int.MaxValue));
            Assert.Equal(text, Utf8.Decode(into, 0, n));
        }

        [Fact]
        public void ARingWrapsAtItsLength_BothWays()
        {
            string text = "ab😀ü€z";
            byte[] expected = Encoding.UTF8.GetBytes(text); // 1+1+4+2+3+1 = 12 bytes
            byte[] ring = new byte[16];
            for (int at = 0; at < ring.Length; at++)
            {
                int n = Utf8.Encode(text.ToCharArray(), ring, at, ring.Length);
                Assert.Equal(expected.Length, n);
                for (int k = 0; k < n; k++)
                    Assert.Equal(expected[k], ring[(at + k) % ring.Length]);
                Assert.Equal(text, Utf8.Decode(ring, at, n));
            }
        }

        [Fact]
        public void CutsAtACharacterBoundary_AndALoneSurrogateBecomesReplacement()
        {
            char[] chars = "a😀b".ToCharArray();
            byte[] into = new byte[8];
            Assert.Equal(1, Utf8.Encode(chars, into, 0, 4)); // the 4-byte emoji does not fit in the 3 left
            Assert.Equal(1, Utf8.Length(chars, 4));
            Assert.Equal(5, Utf8.Length(chars, 5));
            char[] lone = { 'x', '\uD800', 'y' };
            int n = Utf8.Encode(lone, into, 0, into.Length);
            Assert.Equal("x\uFFFDy", Utf8.Decode(into, 0, n));
            Assert.Equal(n, Utf8.Length(lone, int.MaxValue));
        }
    }
}
