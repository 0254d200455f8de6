using System.Globalization;
using System.Text;

namespace ChargeManager.Scenarios;

/// <summary>Per phase, each charger's current stacked over time against the limit: one SVG, three panels.</summary>
public static class SvgPlot
{
    static readonly string[] Colours = { "#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#8ab17d", "#6d597a", "#457b9d" };

    public static string Render(string title, List<Sample> samples)
    {
        const int width = 900, panel = 160, left = 50, top = 30;
        double tMax = samples[^1].TimeS;
        int max = samples.Max(s => Math.Max(s.Limit[1], Math.Max(s.Limit[2], s.Limit[3])));
        max = Math.Max(max, samples.Max(s => new[] { 1, 2, 3 }.Max(p => s.Draw.Sum(d => d[p]))));
        max = Math.Max(1000, max);
        var svg = new StringBuilder();
        string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{top + 3 * (panel + 20) + 20}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.Append($"<text x=\"{left}\" y=\"18\" font-size=\"14\">{System.Security.SecurityElement.Escape(title)}</text>");
        for (int p = 1; p <= 3; p++)
        {
            int y0 = top + (p - 1) * (panel + 20);
            double X(double t) => left + (width - left - 10) * t / tMax;
            double Y(double ma) => y0 + panel - panel * ma / max;
            svg.Append($"<rect x=\"{left}\" y=\"{y0}\" width=\"{width - left - 10}\" height=\"{panel}\" fill=\"#f8f9fa\" stroke=\"#ccc\"/>");
            svg.Append($"<text x=\"8\" y=\"{y0 + 14}\">L{p}</text><text x=\"8\" y=\"{y0 + 28}\">{max / 1000} A</text>");
            int chargers = samples[0].Draw.Length;
            var below = new double[samples.Count];
            for (int c = 0; c < chargers; c++)
            {
                var top_ = samples.Select((s, k) => below[k] + s.Draw[c][p]).ToArray();
                if (top_.SequenceEqual(below)) continue;
                var pts = new StringBuilder();
                for (int k = 0; k < samples.Count; k++) pts.Append($"{F(X(samples[k].TimeS))},{F(Y(top_[k]))} ");
                for (int k = samples.Count - 1; k >= 0; k--) pts.Append($"{F(X(samples[k].TimeS))},{F(Y(below[k]))} ");
                svg.Append($"<polygon points=\"{pts}\" fill=\"{Colours[c % Colours.Length]}\" fill-opacity=\"0.85\"/>");
                below = top_;
            }
            var line = new StringBuilder();
            foreach (var s in samples) line.Append($"{F(X(s.TimeS))},{F(Y(s.Limit[p]))} ");
            svg.Append($"<polyline points=\"{line}\" fill=\"none\" stroke=\"#d62828\" stroke-width=\"2\"/>");
        }
        svg.Append($"<text x=\"{left}\" y=\"{top + 3 * (panel + 20) + 10}\">0 … {F(tMax / 60)} min; red: the limit per phase; areas: each charger's current</text></svg>");
        return svg.ToString();
    }
}
