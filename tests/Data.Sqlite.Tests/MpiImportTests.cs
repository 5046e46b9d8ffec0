using System.Text;
using Digitise.Domain;
using Digitise.Indexing;
using Digitise.Storage;

namespace Digitise.Data.Sqlite.Tests;

/// <summary>
/// The path of <c>digitise mpi import FILE</c>: the file's format told by content (<see cref="MpiFileReader"/>), patients
/// upserted incrementally, merges recorded with documents and candidates repointed at the survivor — no reload.
/// </summary>
public sealed class MpiImportTests : IDisposable
{
    private const string FhirBundle = """
        {"resourceType":"Bundle","type":"collection","entry":[
          {"resource":{"resourceType":"Patient","id":"P001",
            "identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"},{"system":"https://trust.example/mrn","value":"RXH1234567"}],
            "name":[{"use":"official","family":"Smith","given":["John"]},{"use":"maiden","family":"Jones"}],
            "gender":"male","birthDate":"1948-07-02","address":[{"use":"home","line":["1 High St"],"city":"Leeds","postalCode":"ls62qj"}]}},
          {"resource":{"resourceType":"Patient","id":"P003",
            "identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"4010232137"}],
            "name":[{"family":"Patel","given":["Priya"]}],"gender":"female","birthDate":"1990-02-01"}},
          {"resource":{"resourceType":"Patient","id":"P002","link":[{"other":{"reference":"Patient/P001"},"type":"replaced-by"}]}}
        ]}
        """;

    private readonly TempDatabase _db = new();

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _db.Dispose();

    /// <summary>
    /// An import's 256 MB page cache is for the import only: the pooled connection goes back with SQLite's default, or
    /// every later write on it could cache the whole database (a 1,000-page run peaked at 352 MB, not 295).
    /// </summary>
    [Fact]
    public async Task UpsertPatients_ConnectionBackInThePool_HasTheDefaultPageCache()
    {
        await using SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(_db.DatabasePath, Ct);

        await store.UpsertPatientsAsync(Enumerable.Range(1, 50).Select(n => TestData.Patient(n)), Ct);

        // The same connection string is the same pool, and the pool hands back the connection just returned.
        var database = new SqliteDatabase(_db.DatabasePath, create: true, timeProvider: null);
        using Microsoft.Data.Sqlite.SqliteConnection connection = database.Open();
        using Microsoft.Data.Sqlite.SqliteCommand pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA cache_size;";
        Assert.Equal((long)SqliteDigitiseStore.DefaultCacheSize, Convert.ToInt64(pragma.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(50, _db.Scalar("SELECT count(*) FROM patients"));
    }

    [Fact]
    public async Task FhirBundle_DetectedByContent_ImportsPatientsAndMergesRepointCandidates()
    {
        await using SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(_db.DatabasePath, Ct);
        // A document decided before the merge: filed to P001 with P002 as the runner-up (TestData.Outcome's candidates).
        long batch = await store.OpenBatchAsync("b", Ct);
        await store.SaveOutcomeAsync(batch, TestData.Outcome(TestData.Source("a.tif"), 1, 1, 1), Ct);

        string path = Write("mpi.export", FhirBundle);
        (MpiReadResult read, MpiImportResult imported, MpiMergeResult merged) = await ImportAsync(store, path);

        Assert.Equal(MpiFileFormat.FhirBundle, MpiFileReader.Detect(new MemoryStream(Encoding.UTF8.GetBytes("\uFEFF\n " + FhirBundle))));
        Assert.Equal((2, 0, 0), (imported.Imported, imported.Updated, imported.Unchanged));
        Assert.Equal(("P002", "P001"), Assert.Single(read.Merges));
        Assert.Equal(1, merged.Merged);
        Assert.Empty(merged.Errors);
        // P002 was already a candidate beside P001: its row goes rather than naming P001 twice.
        Assert.Equal(1, merged.CandidatesRepointed);
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM candidates WHERE patient_id = 'P002';"));
        Assert.Equal(1, _db.Scalar("SELECT count(*) FROM candidates WHERE patient_id = 'P001';"));
        Assert.Equal("P001", _db.Text("SELECT merged_into FROM patients WHERE patient_id = 'P002';"));

        List<Patient> patients = await ReadAllAsync(store);
        Assert.Equal(["P001", "P003"], patients.Select(p => p.PatientId));
        Patient smith = patients[0];
        Assert.Equal(("9434765919", "RXH1234567", "SMITH", "JOHN", "JONES", "LS6 2QJ"), (smith.NhsNumber, smith.HospitalNumber, smith.FamilyName, smith.GivenName, smith.PreviousFamilyName, smith.Postcode));
    }

    [Fact]
    public async Task FhirBundle_ReimportedUnchanged_WritesNothing_ThenMergeChainsAndRepointsFiledDocuments()
    {
        await using SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(_db.DatabasePath, Ct);
        string path = Write("mpi.json", FhirBundle);
        await ImportAsync(store, path);
        long batch = await store.OpenBatchAsync("b", Ct);
        await store.SaveOutcomeAsync(batch, TestData.Outcome(TestData.Source("a.tif"), 1, 1, 1), Ct);

        (_, MpiImportResult again, MpiMergeResult mergedAgain) = await ImportAsync(store, path);
        Assert.Equal((0, 0, 2), (again.Imported, again.Updated, again.Unchanged));
        Assert.Equal(0, mergedAgain.Merged);

        // P001 (which absorbed P002) is itself merged into P003: the filed document and both chains follow.
        MpiMergeResult merged = await store.MergePatientsAsync([("P001", "P003")], Ct);
        Assert.Equal((1, 1), (merged.Merged, merged.DocumentsRepointed));
        Assert.Equal("P003", _db.Text("SELECT patient_id FROM documents;"));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM candidates WHERE patient_id IN ('P001', 'P002');"));
        Assert.Equal(2, _db.Scalar("SELECT count(*) FROM patients WHERE merged_into = 'P003';"));
        Assert.Equal(["P003"], (await ReadAllAsync(store)).Select(p => p.PatientId));
        IReadOnlyList<(string Retired, string Survivor)> merges = await store.ReadMergesAsync(Ct);
        Assert.Equal([("P001", "P003"), ("P002", "P003")], merges);

        // Decisions are history: they still name the patient as decided.
        Assert.Equal("P001", _db.Text("SELECT patient_id FROM decisions;"));
    }

    [Fact]
    public async Task MergePatientsAsync_UnknownSurvivor_IsReportedAndSkipped()
    {
        await using SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(_db.DatabasePath, Ct);
        await store.UpsertPatientsAsync([TestData.Patient(1)], Ct);

        MpiMergeResult merged = await store.MergePatientsAsync([("P000001", "NOPE")], Ct);

        Assert.Equal(0, merged.Merged);
        Assert.Equal("merge 1: surviving patient_id is not on the index", Assert.Single(merged.Errors));
        Assert.Single(await ReadAllAsync(store));
    }

    [Fact]
    public async Task Csv_ChangedNewAndMergedInto_AppliedIncrementally_AndMergedPatientRevivedByALaterRow()
    {
        await using SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(_db.DatabasePath, Ct);
        const string Header = "patient_id,nhs_number,family_name,given_name,date_of_birth,postcode,merged_into\n";
        await ImportAsync(store, Write("v1.csv", Header + "A1,9434765919,SMITH,JOHN,1948-07-02,LS6 2QJ,\nA2,,SMYTH,JON,1948-07-02,,\nA3,,JONES,ANN,1970-01-01,,\n"));

        (MpiReadResult read, MpiImportResult imported, MpiMergeResult merged) =
            await ImportAsync(store, Write("v2.csv", Header + "A1,9434765919,SMITH,JOHN,1948-07-02,LS1 4AP,\nA2,,,,,,A1\nA3,,JONES,ANN,1970-01-01,,\nA4,,BROWN,TOM,2001-05-05,,\n"));

        Assert.Empty(read.Errors);
        Assert.Equal((1, 1, 1), (imported.Imported, imported.Updated, imported.Unchanged));
        Assert.Equal(1, merged.Merged);
        List<Patient> patients = await ReadAllAsync(store);
        Assert.Equal(["A1", "A3", "A4"], patients.Select(p => p.PatientId));
        Assert.Equal("LS1 4AP", patients[0].Postcode);

        // The MPI un-merges A2 (it comes back as a patient row): it is live again.
        await ImportAsync(store, Write("v3.csv", Header + "A2,,SMYTH,JON,1948-07-02,,\n"));
        Assert.Contains("A2", (await ReadAllAsync(store)).Select(p => p.PatientId));
        Assert.Equal(0, _db.Scalar("SELECT count(*) FROM patients WHERE merged_into IS NOT NULL;"));
    }

    /// <summary>What <c>digitise mpi import</c> does with a file.</summary>
    private static async Task<(MpiReadResult, MpiImportResult, MpiMergeResult)> ImportAsync(SqliteDigitiseStore store, string path)
    {
        MpiReadResult read = MpiFileReader.Read(path, out _);
        MpiImportResult imported = await store.UpsertPatientsAsync(read.Patients, Ct);
        MpiMergeResult merged = await store.MergePatientsAsync(read.Merges, Ct);
        return (read, imported, merged);
    }

    private static async Task<List<Patient>> ReadAllAsync(SqliteDigitiseStore store)
    {
        var patients = new List<Patient>();
        await foreach (Patient patient in store.ReadPatientsAsync(Ct))
        {
            patients.Add(patient);
        }

        return patients;
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_db.Folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
