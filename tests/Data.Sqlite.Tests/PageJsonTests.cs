using System.Text.Json;
using Digitise.Domain;

namespace Digitise.Data.Sqlite.Tests;

/// <summary>
/// The stores write a page's QA and barcodes through build-time generated JSON. Rows written before (by the reflection
/// serializer's defaults) must read back the same, and new rows must be the JSON older builds read.
/// </summary>
public sealed class PageJsonTests
{
    private static readonly PageQuality Quality = new(false, 0.0375, -1.25, true, 180, 300, false, 231.5, false, true) { Unreadable = true };

    private static readonly List<Barcode> Barcodes = [new("CODE-128", "PATCH T"), new("QR-Code", "NHS:943 476 5919")];

    [Fact]
    public void PageQuality_IsWrittenAsTheReflectionSerializerWroteIt()
    {
        string generated = JsonSerializer.Serialize(Quality, PageJson.Default.PageQuality);

        Assert.Equal(JsonSerializer.Serialize(Quality), generated);
        Assert.Equal(Quality, JsonSerializer.Deserialize(JsonSerializer.Serialize(Quality), PageJson.Default.PageQuality));
    }

    [Fact]
    public void Barcodes_AreWrittenAsTheReflectionSerializerWroteThem()
    {
        IReadOnlyList<Barcode> stored = Barcodes;
        string generated = JsonSerializer.Serialize(stored, PageJson.Default.IReadOnlyListBarcode);

        Assert.Equal(JsonSerializer.Serialize(stored), generated);
        Assert.Equal(Barcodes, JsonSerializer.Deserialize(JsonSerializer.Serialize(stored), PageJson.Default.ListBarcode));
    }
}
