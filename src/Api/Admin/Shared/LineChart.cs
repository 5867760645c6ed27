using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace OptLib.Api.Admin.Shared;

/// <summary>
/// A server-rendered SVG line chart, no script. Written with the render-tree builder because Razor reserves the
/// &lt;text&gt; tag that SVG needs for its labels; every label goes through the builder, so it is encoded.
/// </summary>
public sealed class LineChart : ComponentBase
{
    private const double Width = 560, Height = 200, Left = 48, Right = 548, Top = 12, Bottom = 172;

    [Parameter, EditorRequired]
    public IReadOnlyList<(string Label, double Value)> Points { get; set; } = [];

    [Parameter]
    public string Title { get; set; } = string.Empty;

    [Parameter]
    public string Empty { get; set; } = "No data yet.";

    /// <summary>Fixes the scale (0..1 for accuracy) instead of fitting it to the data.</summary>
    [Parameter]
    public double? FixedMin { get; set; }

    [Parameter]
    public double? FixedMax { get; set; }

    [Parameter]
    public string NumberFormat { get; set; } = "0.##";

    private double Min => FixedMin ?? Math.Min(0, Points.Min(p => p.Value));

    private double Max => FixedMax ?? Math.Max(Min + 1, Points.Max(p => p.Value));

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (Points.Count == 0)
        {
            builder.OpenElement(0, "p");
            builder.AddAttribute(1, "class", "muted");
            builder.AddContent(2, Empty);
            builder.CloseElement();
            return;
        }

        builder.OpenElement(10, "svg");
        builder.AddAttribute(11, "class", "chart");
        builder.AddAttribute(12, "viewBox", $"0 0 {N(Width)} {N(Height)}");
        builder.AddAttribute(13, "role", "img");
        builder.AddAttribute(14, "aria-label", Title);
        builder.AddContent(20, Element("title", Title));
        builder.AddContent(30, Line(Left, Bottom, Right, Bottom));
        builder.AddContent(40, Line(Left, Top, Left, Bottom));
        builder.AddContent(50, Text(Left - 6, Top + 4, "end", Format(Max)));
        builder.AddContent(60, Text(Left - 6, Bottom, "end", Format(Min)));
        builder.AddContent(70, Text(Left, Bottom + 16, "start", Points[0].Label));
        if (Points.Count > 1)
        {
            builder.AddContent(80, Text(Right, Bottom + 16, "end", Points[^1].Label));
        }

        var at = Enumerable.Range(0, Points.Count).Select(At).ToList();
        builder.OpenElement(90, "polyline");
        builder.AddAttribute(91, "fill", "none");
        builder.AddAttribute(92, "stroke", "#2454a6");
        builder.AddAttribute(93, "stroke-width", "2");
        builder.AddAttribute(94, "points", string.Join(' ', at.Select(p => $"{N(p.X)},{N(p.Y)}")));
        builder.CloseElement();
        for (var i = 0; i < at.Count; i++)
        {
            builder.OpenElement(100, "circle");
            builder.AddAttribute(101, "cx", N(at[i].X));
            builder.AddAttribute(102, "cy", N(at[i].Y));
            builder.AddAttribute(103, "r", "3");
            builder.AddAttribute(104, "fill", "#2454a6");
            builder.AddContent(105, Element("title", $"{Points[i].Label}: {Format(Points[i].Value)}"));
            builder.CloseElement();
        }

        builder.CloseElement();
    }

    private (double X, double Y) At(int i)
    {
        var x = Points.Count == 1 ? (Left + Right) / 2 : Left + (Right - Left) * i / (Points.Count - 1);
        var y = Bottom - (Bottom - Top) * (Points[i].Value - Min) / (Max - Min);
        return (x, y);
    }

    private static RenderFragment Element(string name, string content) => builder =>
    {
        builder.OpenElement(0, name);
        builder.AddContent(1, content);
        builder.CloseElement();
    };

    private static RenderFragment Line(double x1, double y1, double x2, double y2) => builder =>
    {
        builder.OpenElement(0, "line");
        builder.AddAttribute(1, "x1", N(x1));
        builder.AddAttribute(2, "y1", N(y1));
        builder.AddAttribute(3, "x2", N(x2));
        builder.AddAttribute(4, "y2", N(y2));
        builder.AddAttribute(5, "stroke", "#9aa3b2");
        builder.CloseElement();
    };

    private static RenderFragment Text(double x, double y, string anchor, string content) => builder =>
    {
        builder.OpenElement(0, "text");
        builder.AddAttribute(1, "x", N(x));
        builder.AddAttribute(2, "y", N(y));
        builder.AddAttribute(3, "text-anchor", anchor);
        builder.AddContent(4, content);
        builder.CloseElement();
    };

    private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private string Format(double v) => v.ToString(NumberFormat, CultureInfo.InvariantCulture);
}
