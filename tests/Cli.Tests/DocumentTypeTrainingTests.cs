using Digitise.Data.Sqlite;
using Digitise.Storage;

namespace Digitise.Cli.Tests;

/// <summary>Clerks' type choices become labels: <c>digitise model train</c> learns from them and <c>run</c> then uses that model.</summary>
public sealed class DocumentTypeTrainingTests
{
    [Fact]
    public async Task ModelTrain_ClerkChoseAType_NextModelLearnsFromItAndRunUsesIt()
    {
        using var batch = new TempBatch(documents: 2, seed: 71);
        (int code, _, string stderr) = await Digitise.ExecAsync("run", batch.Batch, "--mpi", batch.Mpi, "--out", batch.Out, "--db", batch.Db);
        Assert.True(code == 0, stderr);
        Assert.Contains("document types dt-0", stderr, StringComparison.Ordinal);
        Dictionary<string, string> row = Csv.Read(batch.Manifest)[0];

        var types = new SqliteDocumentTypeStore(batch.Db);
        Assert.True(await types.SetClerkTypeAsync(row["document_id"], "consent_form", CancellationToken.None));
        TypeLabel label = Assert.Single(await types.ReadLabelsAsync(CancellationToken.None));
        Assert.Equal("consent_form", label.Code);
        Assert.NotEmpty(label.PageTexts);

        (int trained, string stdout, string trainErr) = await Digitise.ExecAsync("model", "train", "--db", batch.Db);
        Assert.True(trained == 0, trainErr);
        Assert.Contains("Trained document types dt-1", stdout, StringComparison.Ordinal);
        Assert.Contains("1 clerk labels (consent_form 1)", stdout, StringComparison.Ordinal);
        Assert.Equal("dt-1", (await types.GetLatestModelAsync(CancellationToken.None))?.Version);

        // The clerk's type survives a rerun and an export, and the next run loads dt-1.
        (int again, _, string againErr) = await Digitise.ExecAsync("run", batch.Batch, "--mpi", batch.Mpi, "--out", batch.Out, "--db", batch.Db);
        Assert.True(again == 0, againErr);
        Assert.Contains("document types dt-1", againErr, StringComparison.Ordinal);
        Assert.Equal("consent_form", Csv.Read(batch.Manifest).Single(r => r["document_id"] == row["document_id"])["document_type"]);
    }
}
