using System.Globalization;
using System.Text;
using Digitise.Domain;

namespace Digitise.Verify.Ui.Pages;

/// <summary>The dashboard's documents-by-type table (quarantined documents left out; untyped ones counted apart).</summary>
internal static class DocumentTypeCard
{
    public static string Render(IReadOnlyDictionary<string, int> counts, DocumentTypeOptions options)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        var rows = new StringBuilder();
        foreach (DocumentTypeDefinition type in options.Effective)
        {
            rows.Append(c, $"<tr><th title=\"SNOMED CT {Html.E(type.Snomed)}\">{Html.E(type.Display)}</th><td class=\"n\" data-testid=\"type-{Html.E(type.Code)}\">{counts.GetValueOrDefault(type.Code)}</td></tr>");
        }

        int unlisted = counts.Where(kv => kv.Key.Length > 0 && options.Find(kv.Key) is null).Sum(kv => kv.Value);
        if (unlisted > 0)
        {
            rows.Append(c, $"<tr><th>No longer listed</th><td class=\"n\">{unlisted}</td></tr>");
        }

        rows.Append(c, $"<tr><th class=\"muted\">Not typed</th><td class=\"n\" data-testid=\"type-none\">{counts.GetValueOrDefault(string.Empty)}</td></tr>");
        return $"<div class=\"card\"><h2>Documents by type</h2><table class=\"numbers\" data-testid=\"types\">{rows}</table></div>";
    }
}
