using System.Globalization;
using System.Net;
using System.Text;

namespace OptLib.Library.Comparison;

/// <summary>
/// A small self-contained SVG bar chart: the accuracy of the baseline and the candidate, overall and per taxonomy
/// label (the largest labels first, at most eight), side by side.
/// </summary>
public static class ComparisonChart
{
    private const double Width = 640, Height = 360, Left = 50, Right = 20, Top = 50, Bottom = 80;
    private const string BaselineColour = "#7f7f7f", CandidateColour = "#1f77b4";

    public static string Svg(ComparisonMetrics m)
    {
        var groups = new List<(string Label, double Baseline, double Candidate)> { ("all", m.Baseline.Accuracy, m.Candidate.Accuracy) };
        groups.AddRange(m.ByTaxonomy.Take(8).Select(t => (t.Label, t.BaselineAccuracy, t.CandidateAccuracy)));
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var slot = plotWidth / groups.Count;
        var bar = Math.Min(40, slot * 0.35);
        double Y(double accuracy) => Top + plotHeight * (1 - Math.Clamp(accuracy, 0, 1));

        var svg = new StringBuilder();
        void Add(FormattableString element) => svg.AppendLine(element.ToString(CultureInfo.InvariantCulture));
        var title = $"{m.Dataset} / {m.Split}: baseline {m.Baseline.Snapshot} against candidate {m.Candidate.Snapshot}, p = {m.PValue:0.####}";

        Add($"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">""");
        Add($"""<title>Accuracy of both library versions: {Text(title)}</title>""");
        Add($"""<rect width="{Width}" height="{Height}" fill="white"/>""");
        Add($"""<text x="{Width / 2}" y="20" text-anchor="middle" font-size="14">{Text(title)}</text>""");
        Add($"""<rect x="{Left}" y="30" width="10" height="10" fill="{BaselineColour}"/><text x="{Left + 14}" y="39">baseline</text>""");
        Add($"""<rect x="{Left + 90}" y="30" width="10" height="10" fill="{CandidateColour}"/><text x="{Left + 104}" y="39">candidate</text>""");
        for (var tick = 0; tick <= 4; tick++)
        {
            var y = Top + plotHeight * tick / 4;
            Add($"""<line x1="{Left}" y1="{y:0.##}" x2="{Width - Right}" y2="{y:0.##}" stroke="#e0e0e0"/>""");
            Add($"""<text x="{Left - 6}" y="{y + 4:0.##}" text-anchor="end">{100 - (tick * 25)}%</text>""");
        }

        for (var i = 0; i < groups.Count; i++)
        {
            var (label, baseline, candidate) = groups[i];
            var centre = Left + slot * (i + 0.5);
            Add($"""<rect class="baseline" data-label="{Text(label)}" data-accuracy="{baseline:0.####}" x="{centre - bar:0.##}" y="{Y(baseline):0.##}" width="{bar:0.##}" height="{Top + plotHeight - Y(baseline):0.##}" fill="{BaselineColour}"/>""");
            Add($"""<rect class="candidate" data-label="{Text(label)}" data-accuracy="{candidate:0.####}" x="{centre:0.##}" y="{Y(candidate):0.##}" width="{bar:0.##}" height="{Top + plotHeight - Y(candidate):0.##}" fill="{CandidateColour}"/>""");
            var shown = label.Length > 18 ? label[..17] + "…" : label;
            Add($"""<text x="{centre:0.##}" y="{Top + plotHeight + 16:0.##}" text-anchor="end" transform="rotate(-30 {centre:0.##} {Top + plotHeight + 16:0.##})">{Text(shown)}</text>""");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static string Text(string text) => WebUtility.HtmlEncode(text);
}
