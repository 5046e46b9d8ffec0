using Digitise.Domain;

namespace Digitise.Indexing.Tests;

/// <summary>
/// A page OCR could not read (QA flag <c>unreadable</c>: handwriting, very poor scans) is never identifier evidence:
/// what the pipeline hands the extractor is <see cref="Document.IdentifierEvidence"/>.
/// </summary>
public sealed class UnreadablePageEvidenceTests
{
    private const string Label = "SMITH, John  DOB: 02/07/1948  NHS No: 943 476 5919  Hosp No: RXH1234567";

    private static readonly PageQuality Clean = new(false, 0.02, 0, false, 0, 300, false, 230, false, false);

    [Fact]
    public void IdentifierEvidence_UnreadablePage_ItsWordsAreNotRead()
    {
        var extractor = new IdentifierExtractor(new IdentifierOptions());
        Document readable = WithQuality(TestPages.Document(Label), Clean);
        Document unreadable = WithQuality(TestPages.Document(Label), Clean with { Unreadable = true });

        // The same words: read when the page is readable, not when QA flagged it.
        Assert.Contains(extractor.Extract(readable.IdentifierEvidence()), i => i.Kind == IdentifierKind.NhsNumber && i.Value == "9434765919");
        Assert.Empty(extractor.Extract(unreadable.IdentifierEvidence()));

        // The page itself stays in the document: stored, counted and shown to clerks.
        Assert.Single(unreadable.Pages);
    }

    [Fact]
    public void IdentifierEvidence_MixedDocument_KeepsOnlyTheReadablePages()
    {
        Document document = TestPages.Document(Label, "Handwritten notes read as 943 476 5919 by chance");
        document = document with
        {
            Pages = [document.Pages[0], document.Pages[1] with { Quality = Clean with { Unreadable = true } }],
        };

        Document evidence = document.IdentifierEvidence();

        Assert.Equal([1], evidence.Pages.Select(p => p.PageNumber));
        Assert.Equal(2, document.Pages.Count);
    }

    private static Document WithQuality(Document document, PageQuality quality) =>
        document with { Pages = [.. document.Pages.Select(p => p with { Quality = quality })] };
}
