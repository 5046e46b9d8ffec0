using System.CommandLine;
using System.Globalization;
using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Indexing;
using Digitise.Indexing.Matching;
using Microsoft.Extensions.Configuration;

namespace Digitise.Cli;

/// <summary>
/// <c>digitise model train [--db]</c>: learns a Fellegi-Sunter model — u from the MPI in the database, m by EM over every
/// stored document's identifiers, with clerks' confirmed decisions as labels — and stores it as the next version (fs-N).
/// Also builds the matcher <c>run</c> uses: the latest trained model, else the defaults with u from the MPI.
/// </summary>
internal static class ModelCommand
{
    public static Command Create(Option<string> dbOption)
    {
        var train = new Command("train", "Train the matching model from the MPI, the stored documents (EM) and clerks' confirmed decisions (labels); stores it as the next version fs-N, which later runs use.")
        {
            dbOption,
        };
        train.SetAction(async (parse, ct) =>
        {
            try
            {
                return await TrainAsync(parse.GetValue(dbOption)!, Console.Out, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or Microsoft.Data.Sqlite.SqliteException)
            {
                Console.Error.WriteLine($"digitise: {ex.Message}");
                return 1;
            }
        });

        var show = new Command("show", "Print the latest trained model (JSON), or the defaults when none was trained.") { dbOption };
        show.SetAction(async (parse, ct) =>
        {
            await using (await SqliteDigitiseStore.OpenAsync(parse.GetValue(dbOption)!, ct).ConfigureAwait(false))
            {
            }

            StoredModel? stored = await new SqliteModelStore(parse.GetValue(dbOption)!).GetLatestAsync(ct).ConfigureAwait(false);
            Console.WriteLine(stored?.Json ?? MatchModel.Default().ToJson());
            return 0;
        });

        return new Command("model", "The probabilistic matching model.") { train, show };
    }

    public static async Task<int> TrainAsync(string database, TextWriter stdout, CancellationToken cancellationToken)
    {
        var patients = new List<Patient>();
        await using (SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(database, cancellationToken).ConfigureAwait(false))
        {
            await foreach (Patient patient in store.ReadPatientsAsync(cancellationToken).ConfigureAwait(false))
            {
                patients.Add(patient);
            }
        }

        if (patients.Count < 2)
        {
            throw new InvalidOperationException("The database holds no MPI to train on: import one first (digitise mpi import FILE, or digitise run --mpi FILE).");
        }

        var models = new SqliteModelStore(database);
        var index = new PatientIndex(patients);
        StoredModel? latest = await models.GetLatestAsync(cancellationToken).ConfigureAwait(false);
        MatchModel start = latest is null ? MatchModel.Default() : MatchModel.FromJson(latest.Json);
        var documents = new List<TrainingDocument>();
        await foreach (LabelledIdentifiers row in models.ReadTrainingDocumentsAsync(cancellationToken).ConfigureAwait(false))
        {
            documents.Add(row.LabelStatus switch
            {
                "filed" when row.LabelPatientId is not null => new TrainingDocument(row.Identifiers, TrainingLabel.Filed, index.ResolveMerged(row.LabelPatientId)),
                "not_on_index" => new TrainingDocument(row.Identifiers, TrainingLabel.NotOnIndex),
                _ => new TrainingDocument(row.Identifiers),
            });
        }

        int sequence = await models.NextSequenceAsync(cancellationToken).ConfigureAwait(false);
        string version = "fs-" + sequence.ToString(CultureInfo.InvariantCulture);
        MatchModel trained = ModelTrainer.Train(index, documents, start, version);
        DateTimeOffset now = TimeProvider.System.GetUtcNow();
        trained = new MatchModel
        {
            Version = trained.Version,
            TrainedUtc = now,
            NotOnIndexRate = trained.NotOnIndexRate,
            Fields = trained.Fields,
            Training = trained.Training,
        };
        await models.SaveAsync(version, sequence, now, trained.ToJson(), cancellationToken).ConfigureAwait(false);
        Print(stdout, trained, latest?.Version ?? start.Version);
        await Typing.DocumentTyping.TrainAsync(database, stdout, cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// The matcher for <c>run</c>: the latest trained model in <paramref name="database"/>, else the built-in m with u
    /// estimated from this MPI (version fs-0). Previous family names come from the MPI CSV (the database does not keep them).
    /// </summary>
    public static async Task<FellegiSunterMatcher> CreateMatcherAsync(
        string database, IEnumerable<Patient> patients, IReadOnlyList<Patient> fromCsv, string? configFile, TextWriter stderr, CancellationToken cancellationToken)
    {
        var previous = fromCsv.Where(p => p.PreviousFamilyName is not null).ToDictionary(p => p.PatientId, p => p.PreviousFamilyName, StringComparer.Ordinal);
        var index = new PatientIndex(patients.Select(p => previous.TryGetValue(p.PatientId, out string? name) ? p with { PreviousFamilyName = name } : p));
        (string Version, string Json)? stored = await Providers.LatestModelAsync(database, cancellationToken).ConfigureAwait(false);
        MatchModel model = stored is not { } found
            ? ModelTrainer.EstimateU(index, MatchModel.Default(), 50_000, 12345)
            : MatchModel.FromJson(found.Json);
        stderr.WriteLine($"digitise: matcher {model.Version}{(stored is null ? " (built-in m, u from this MPI; train one with: digitise model train)" : string.Empty)}");
        return new FellegiSunterMatcher(index, model, LoadOptions(configFile));
    }

    /// <summary>The <c>Matching</c> section of digitise.json (or --config), overridden by DIGITISE_Matching__* variables.</summary>
    public static MatchingOptions LoadOptions(string? configFile)
    {
        string file = Path.GetFullPath(configFile ?? Path.Combine(Directory.GetCurrentDirectory(), "digitise.json"));
        IConfiguration config = new ConfigurationBuilder()
            .AddJsonFile(file, optional: true)
            .AddEnvironmentVariables("DIGITISE_")
            .Build();
        MatchingOptions options = config.GetSection("Matching").Get<MatchingOptions>() ?? new MatchingOptions();
        options.Validate();
        return options;
    }

    private static void Print(TextWriter stdout, MatchModel model, string from)
    {
        var inv = CultureInfo.InvariantCulture;
        TrainingSummary t = model.Training!;
        stdout.WriteLine($"Trained {model.Version} (from {from}).");
        stdout.WriteLine(string.Create(inv, $"  patients {t.PatientsOnIndex}, random pairs {t.RandomPairs}, unlabelled documents {t.UnlabelledDocuments}, clerk labels {t.LabelledFiled} filed + {t.LabelledNotOnIndex} not on index, EM iterations {t.Iterations}"));
        stdout.WriteLine(string.Create(inv, $"  not-on-index rate {model.NotOnIndexRate:0.0000}"));
        stdout.WriteLine("  field            level               m          u          weight");
        foreach ((string field, string[] levels) in MatchFields.Levels)
        {
            foreach (string level in levels.Where(l => l != MatchFields.Absent))
            {
                LevelParameters p = model.Get(field, level);
                stdout.WriteLine(string.Create(inv, $"  {field,-16} {level,-18} {p.M,9:0.0000}  {p.U,9:0.00e+0}  {p.Weight,7:0.00}"));
            }
        }
    }
}
