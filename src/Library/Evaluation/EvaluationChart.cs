using System.Globalization;
using System.Net;
using System.Text;

namespace OptLib.Library.Evaluation;

/// <summary>
/// A small self-contained SVG line chart: accuracy (left axis, 0 to 100 %) and active insights (right axis, 0 to the
/// largest size seen) for each evaluation run, oldest on the left.
/// </summary>
public static class EvaluationChart
{
    private const double Width = 640, Height = 360, Left = 60, Right = 60, Top = 40, Bottom = 50;
    private const string AccuracyColour = "#1f77b4", LibraryColour = "#ff7f0e";

    public static string Svg(string title, IReadOnlyList<EvaluationRun> runs)
    {
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var maxLibrary = Math.Max(1, runs.Count == 0 ? 1 : runs.Max(r => r.LibrarySize));
        double X(int i) => Left + (runs.Count <= 1 ? plotWidth / 2 : plotWidth * i / (runs.Count - 1));
        double AccuracyY(double accuracy) => Top + plotHeight * (1 - Math.Clamp(accuracy, 0, 1));
        double LibraryY(int size) => Top + plotHeight * (1 - (double)size / maxLibrary);

        var svg = new StringBuilder();
        void Add(FormattableString element) => svg.AppendLine(element.ToString(CultureInfo.InvariantCulture));

        Add($"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">""");
        Add($"""<title>Accuracy and library size over evaluation runs: {Text(title)}</title>""");
        Add($"""<rect width="{Width}" height="{Height}" fill="white"/>""");
        Add($"""<text x="{Width / 2}" y="20" text-anchor="middle" font-size="14">Accuracy and library size: {Text(title)}</text>""");

        for (var tick = 0; tick <= 4; tick++)
        {
            var y = Top + plotHeight * tick / 4;
            Add($"""<line x1="{Left}" y1="{y:0.##}" x2="{Width - Right}" y2="{y:0.##}" stroke="#e0e0e0"/>""");
            Add($"""<text x="{Left - 6}" y="{y + 4:0.##}" text-anchor="end" fill="{AccuracyColour}">{100 - (tick * 25)}%</text>""");
            Add($"""<text x="{Width - Right + 6}" y="{y + 4:0.##}" fill="{LibraryColour}">{Math.Round(maxLibrary * (4 - tick) / 4.0)}</text>""");
        }

        Add($"""<line x1="{Left}" y1="{Top + plotHeight}" x2="{Width - Right}" y2="{Top + plotHeight}" stroke="#555"/>""");
        for (var i = 0; i < runs.Count; i++)
        {
            Add($"""<text x="{X(i):0.##}" y="{Top + plotHeight + 18}" text-anchor="middle">#{runs[i].JobId}</text>""");
        }

        Add($"""<text x="{Width / 2}" y="{Height - 10}" text-anchor="middle">evaluation job</text>""");
        Series(svg, runs.Select((r, i) => (X(i), AccuracyY(r.Accuracy), EvaluationReport.Percent(r.Accuracy))).ToList(), AccuracyColour, "accuracy");
        Series(svg, runs.Select((r, i) => (X(i), LibraryY(r.LibrarySize), r.LibrarySize.ToString(CultureInfo.InvariantCulture))).ToList(), LibraryColour, "library");

        Add($"""<rect x="{Left + 10}" y="{Top + 6}" width="12" height="3" fill="{AccuracyColour}"/><text x="{Left + 28}" y="{Top + 11}">accuracy</text>""");
        Add($"""<rect x="{Left + 100}" y="{Top + 6}" width="12" height="3" fill="{LibraryColour}"/><text x="{Left + 118}" y="{Top + 11}">active insights</text>""");
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static void Series(StringBuilder svg, IReadOnlyList<(double X, double Y, string Label)> points, string colour, string id)
    {
        if (points.Count == 0)
        {
            return;
        }

        var path = string.Join(' ', points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.X:0.##},{p.Y:0.##}")));
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<polyline id="{id}" points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>""");
        foreach (var (x, y, label) in points)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<circle cx="{x:0.##}" cy="{y:0.##}" r="3.5" fill="{colour}"><title>{Text(label)}</title></circle>""");
        }
    }

    private static string Text(string text) => WebUtility.HtmlEncode(text);
}
