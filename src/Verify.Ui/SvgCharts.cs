using System.Globalization;
using System.Security;
using System.Text;

namespace Digitise.Verify.Ui;

/// <summary>Dependency-free SVG charts: pictures the browser draws, no script and no CDN.</summary>
internal static class SvgCharts
{
    private const string Font = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif\"";

    /// <param name="reference">A value to draw as a dashed line across the bars (e.g. a target), with its label.</param>
    public static string Bars(string title, IReadOnlyList<(string Label, long Value)> points, string colour, (double Value, string Label)? reference = null)
    {
        const int Width = 640, Height = 240, Left = 44, Right = 12, Top = 34, Bottom = 34;
        long max = Math.Max(1, points.Count == 0 ? 1 : points.Max(p => p.Value));
        if (reference is { } line)
        {
            max = Math.Max(max, (long)Math.Ceiling(line.Value));
        }

        long scale = NiceCeiling(max);
        var svg = Start(Width, Height, title);
        double plotWidth = Width - Left - Right;
        double plotHeight = Height - Top - Bottom;
        for (int g = 0; g <= 4; g++)
        {
            double y = Top + (plotHeight * g / 4);
            long value = scale - (scale * g / 4);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#e3e7ec\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"11\" fill=\"#68717d\">{value}</text>");
        }

        double slot = points.Count == 0 ? plotWidth : plotWidth / points.Count;
        int labelEvery = Math.Max(1, (int)Math.Ceiling(points.Count / 12.0));
        for (int i = 0; i < points.Count; i++)
        {
            (string label, long v) = points[i];
            double h = plotHeight * v / scale;
            double x = Left + (slot * i) + (slot * 0.15);
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{x:0.#}\" y=\"{Top + plotHeight - h:0.#}\" width=\"{slot * 0.7:0.#}\" height=\"{h:0.#}\" rx=\"2\" fill=\"{colour}\"><title>{Escape(label)}: {v}</title></rect>");
            if (v > 0 && slot > 22)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text x=\"{x + (slot * 0.35):0.#}\" y=\"{Top + plotHeight - h - 4:0.#}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#34404d\">{v}</text>");
            }

            if (i % labelEvery == 0)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text x=\"{x + (slot * 0.35):0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#68717d\">{Escape(label)}</text>");
            }
        }

        if (reference is { } target)
        {
            double y = Top + plotHeight - (plotHeight * target.Value / scale);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#b8443c\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text x=\"{Width - Right}\" y=\"{y - 4:0.#}\" text-anchor=\"end\" font-size=\"11\" fill=\"#b8443c\">{Escape(target.Label)}</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    public static string HorizontalBars(string title, IReadOnlyList<(string Label, long Value)> points)
    {
        const int Width = 640, Left = 150, Right = 56, Top = 34, Row = 26;
        int height = Top + (Math.Max(1, points.Count) * Row) + 12;
        long max = Math.Max(1, points.Count == 0 ? 1 : points.Max(p => p.Value));
        var svg = Start(Width, height, title);
        string[] palette = ["#2563a8", "#4a8c5c", "#c07a1f", "#8a4fa3", "#b8443c", "#3a8d99", "#6b7280"];
        if (points.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Top + 16}\" font-size=\"12\" fill=\"#68717d\">No data yet</text>");
        }

        for (int i = 0; i < points.Count; i++)
        {
            (string label, long v) = points[i];
            double w = (Width - Left - Right) * (double)v / max;
            double y = Top + (i * Row);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{y + 16:0.#}\" text-anchor=\"end\" font-size=\"12\" fill=\"#34404d\">{Escape(label)}</text>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{Left}\" y=\"{y + 4:0.#}\" width=\"{Math.Max(1, w):0.#}\" height=\"{Row - 8}\" rx=\"2\" fill=\"{palette[i % palette.Length]}\"><title>{Escape(label)}: {v}</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + w + 6:0.#}\" y=\"{y + 16:0.#}\" font-size=\"12\" fill=\"#34404d\">{v}</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static StringBuilder Start(int width, int height, string title)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{Escape(title)}\" {Font}>");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"12\" y=\"20\" font-size=\"13\" font-weight=\"600\" fill=\"#1d2733\">{Escape(title)}</text>");
        return svg;
    }

    private static long NiceCeiling(long max)
    {
        long step = 1;
        while (step * 10 < max)
        {
            step *= 10;
        }

        foreach (long m in new long[] { 1, 2, 4, 5, 10 })
        {
            if (step * m >= max && (step * m) % 4 == 0)
            {
                return step * m;
            }
        }

        return ((max + 3) / 4) * 4;
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;
}
