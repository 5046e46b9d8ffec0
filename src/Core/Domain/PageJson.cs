using System.Text.Json.Serialization;

namespace Digitise.Domain;

/// <summary>
/// The JSON a store keeps of a page's QA and barcodes, generated at build time: the same JSON as the reflection-based
/// serializer's defaults, without its run-time reflection and code generation on every page a run stores.
/// </summary>
[JsonSerializable(typeof(PageQuality))]
[JsonSerializable(typeof(List<Barcode>))]
[JsonSerializable(typeof(IReadOnlyList<Barcode>))]
public sealed partial class PageJson : JsonSerializerContext;
