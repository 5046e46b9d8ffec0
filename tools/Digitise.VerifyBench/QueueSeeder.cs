using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Digitise.Data.Sqlite;
using Digitise.Domain;
using Digitise.Storage;
using Microsoft.Data.Sqlite;

namespace Digitise.VerifyBench;

/// <summary>What <see cref="QueueSeeder"/> wrote.</summary>
internal sealed record SeedResult(int Flagged, int AutoFiled, int Patients, long Pages, long Identifiers, long Candidates, TimeSpan Elapsed);

/// <summary>
/// Seeds a fresh database the way the pipeline leaves it: migrated and given its index through the real store
/// (<see cref="SqliteDigitiseStore"/>), then the documents written in one transaction with the same rows
/// <c>SaveOutcomeAsync</c> writes (source file, batch link, pages with words, document, identifiers with word boxes, ranked
/// candidates with per-field evidence, the pipeline's decision), which is minutes faster than a transaction per document.
/// </summary>
internal static class QueueSeeder
{
    public const string ModelVersion = "rules-bench";
    public const string BatchName = "bench-verify";

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] FamilyNames =
    [
        "SMITH", "JONES", "TAYLOR", "BROWN", "WILLIAMS", "WILSON", "JOHNSON", "DAVIES", "ROBINSON", "WRIGHT", "THOMPSON", "EVANS",
        "WALKER", "WHITE", "ROBERTS", "GREEN", "HALL", "WOOD", "JACKSON", "CLARKE", "PATEL", "KHAN", "MACKENZIE", "O'NEILL", "HUGHES",
    ];

    private static readonly string[] GivenNames =
    [
        "MARGARET", "JOHN", "EDITH", "PATRICK", "SUSAN", "DAVID", "MARY", "PETER", "JEAN", "ALAN", "ELIZABETH", "GEORGE", "DOROTHY",
        "BRIAN", "AISHA", "MOHAMMED", "SARAH", "JAMES", "ANNE", "WILLIAM",
    ];

    private static readonly string[] Filler =
    [
        "Thank", "you", "for", "referring", "this", "patient", "who", "was", "seen", "in", "clinic", "today.", "Echocardiogram",
        "showed", "mild", "mitral", "regurgitation", "with", "preserved", "left", "ventricular", "function.", "Blood", "pressure",
        "140/85.", "Continue", "ramipril", "5mg", "daily", "and", "review", "in", "six", "months.", "She", "reports", "no", "chest",
        "pain", "or", "breathlessness", "on", "exertion.", "ECG", "sinus", "rhythm.", "Plan:", "repeat", "bloods", "at", "the", "surgery.",
    ];

    private static readonly string[] Postcodes = ["LS6 2QJ", "BD7 1DP", "HX1 2RS", "WF1 1AA", "LS1 4AP", "HD1 2QA", "YO1 7HH", "S1 2HE"];

    /// <summary>Creates <paramref name="path"/> (which must not exist) with the queue, the auto-filed documents and the index.</summary>
    public static async Task<SeedResult> SeedAsync(string path, VerifyBenchOptions options, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        var random = new Random(options.Seed);
        Patient[] patients = CreatePatients(options.Patients, random);

        long batchId;
        await using (SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(path, cancellationToken))
        {
            batchId = await store.OpenBatchAsync(BatchName, cancellationToken);
            MpiImportResult import = await store.UpsertPatientsAsync(patients, cancellationToken);
            if (import.Errors.Count > 0)
            {
                throw new InvalidOperationException($"The generated index was refused: {import.Errors[0]}");
            }
        }

        var counts = new Counts();
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            await connection.OpenAsync(cancellationToken);
            Execute(connection, null, "PRAGMA synchronous = OFF;");
            using (SqliteTransaction transaction = connection.BeginTransaction())
            {
                using var writer = new Writer(connection, transaction, batchId);

                // Queue order is decided_at: flagged document i was decided i seconds after the first, auto-filed ones in between.
                DateTimeOffset first = DateTimeOffset.UtcNow.AddDays(-30);
                int total = options.Documents + options.AutoFiled;
                int flagged = 0;
                for (int n = 0; n < total; n++)
                {
                    cancellationToken.ThrowIfCancellationRequested();

                    // Spread the auto-filed documents evenly through the flagged ones.
                    bool isFlagged = (long)flagged * total < (long)(n + 1) * options.Documents && flagged < options.Documents;
                    if (isFlagged)
                    {
                        flagged++;
                    }

                    WriteDocument(writer, n, isFlagged, patients, random, options, first.AddSeconds(n), counts);
                }

                transaction.Commit();
            }

            Execute(connection, null, "PRAGMA wal_checkpoint(TRUNCATE);");
        }

        await using (SqliteDigitiseStore store = await SqliteDigitiseStore.OpenAsync(path, cancellationToken))
        {
            await store.CompleteBatchAsync(batchId, "complete", cancellationToken);
        }

        SqliteConnection.ClearAllPools();
        return new SeedResult(options.Documents, options.AutoFiled, patients.Length, counts.Pages, counts.Identifiers, counts.Candidates,
            Stopwatch.GetElapsedTime(started));
    }

    private static Patient[] CreatePatients(int count, Random random)
    {
        var patients = new Patient[count];
        for (int i = 0; i < count; i++)
        {
            string nhs = NhsNumber(random);
            var dob = new DateOnly(1925 + random.Next(85), 1 + random.Next(12), 1 + random.Next(28));
            patients[i] = new Patient(
                string.Create(CultureInfo.InvariantCulture, $"P{i + 1:D6}"),
                nhs,
                string.Create(CultureInfo.InvariantCulture, $"RXH{random.Next(1_000_000, 9_999_999)}"),
                FamilyNames[random.Next(FamilyNames.Length)],
                GivenNames[random.Next(GivenNames.Length)],
                dob,
                random.Next(2) == 0 ? "F" : "M",
                Postcodes[random.Next(Postcodes.Length)],
                null);
        }

        return patients;
    }

    /// <summary>A valid NHS number (modulus-11 check digit).</summary>
    private static string NhsNumber(Random random)
    {
        Span<int> digits = stackalloc int[9];
        while (true)
        {
            int sum = 0;
            for (int i = 0; i < 9; i++)
            {
                digits[i] = i == 0 ? 1 + random.Next(9) : random.Next(10);
                sum += digits[i] * (10 - i);
            }

            int check = 11 - (sum % 11);
            if (check == 10)
            {
                continue;
            }

            var text = new StringBuilder(10);
            foreach (int d in digits)
            {
                text.Append((char)('0' + d));
            }

            return text.Append((char)('0' + (check == 11 ? 0 : check))).ToString();
        }
    }

    private static void WriteDocument(
        Writer writer, int n, bool flagged, Patient[] patients, Random random, VerifyBenchOptions options, DateTimeOffset decided, Counts counts)
    {
        string sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"bench-verify/{options.Seed}/{n}"))));
        string documentId = DocumentId.For(sha, 1).Value;
        string now = Instant(decided);
        int pageCount = 1 + (n % 3);
        Patient patient = patients[random.Next(patients.Length)];

        writer.Source(sha, pageCount, now);

        var identifiers = new List<(string Kind, string Value, string Raw, double Confidence, int[] Box)>();
        for (int page = 1; page <= pageCount; page++)
        {
            var words = new List<(string Text, int[] Box, float Confidence, int Line)>();
            int line = 0, y = 160;
            void Line(params (string Text, float Confidence, string? Kind, string? Value)[] items)
            {
                int x = 180;
                foreach ((string text, float confidence, string? kind, string? value) in items)
                {
                    int[] box = [x, y, Math.Max(30, text.Length * 30), 44];
                    words.Add((text, box, confidence, line));
                    if (kind is not null)
                    {
                        identifiers.Add((kind, value ?? text, text, confidence / 100.0, box));
                    }

                    x += box[2] + 24;
                }

                line++;
                y += 70;
            }

            if (page == 1)
            {
                Line(("Calder", 96, null, null), ("Royal", 96, null, null), ("Infirmary", 95, null, null));
                Line(("Department", 94, null, null), ("of", 96, null, null), ("Cardiology", 93, null, null));
                Line(("Re:", 95, null, null), (Title(patient.GivenName), 91, "given_name", patient.GivenName), (patient.FamilyName, 92, "family_name", patient.FamilyName));
                Line(("DOB:", 95, null, null), (patient.DateOfBirth!.Value.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture), 88, "date_of_birth",
                    patient.DateOfBirth.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
                string nhs = patient.NhsNumber!;
                Line(("NHS", 95, null, null), ("No:", 94, null, null), (nhs[..3] + " " + nhs[3..6] + " " + nhs[6..], 71, "nhs_number", nhs));
                Line(("Hosp", 95, null, null), ("No:", 94, null, null), (patient.HospitalNumber!, 90, "hospital_number", patient.HospitalNumber));
                Line(("Postcode:", 95, null, null), (patient.Postcode!, 89, "postcode", patient.Postcode));
            }

            // Body text up to the page's word count, about ten words a line.
            while (words.Count < options.WordsPerPage)
            {
                var items = new (string, float, string?, string?)[Math.Min(10, options.WordsPerPage - words.Count)];
                for (int k = 0; k < items.Length; k++)
                {
                    items[k] = (Filler[random.Next(Filler.Length)], 60 + (float)(random.NextDouble() * 39), null, null);
                }

                Line(items);
            }

            writer.Page(sha, page, words);
            counts.Pages++;
        }

        string status = flagged ? "needs_verification" : "auto_filed";
        string reason = flagged
            ? (n % 2 == 0 ? "date_of_birth+family_name agree; nhs_number not read" : "nhs_number agrees; date_of_birth not corroborated")
            : "nhs_number+date_of_birth+family_name agree";
        double bestScore = flagged ? 0.80 + (random.NextDouble() * 0.15) : 0.995;
        writer.Document(documentId, sha, pageCount, status, patient.PatientId, bestScore, reason, now);

        foreach ((string kind, string value, string raw, double confidence, int[] box) in identifiers)
        {
            writer.Identifier(documentId, kind, value, raw, confidence, box);
            counts.Identifiers++;
        }

        // Ranked candidates: the right patient first, then (when flagged) two rivals with weaker evidence.
        writer.Candidate(documentId, 1, patient.PatientId, bestScore,
            [("nhs_number", flagged && n % 2 == 0 ? "absent" : "exact", flagged && n % 2 == 0 ? 0 : 14), ("date_of_birth", "exact", 7),
             ("family_name", "exact", 6), ("given_name", "exact", 4), ("postcode", "exact", 3)]);
        counts.Candidates++;
        if (flagged)
        {
            for (int rank = 2; rank <= 3; rank++)
            {
                Patient rival = patients[random.Next(patients.Length)];
                writer.Candidate(documentId, rank, rival.PatientId, Math.Round(bestScore - (0.15 * rank), 3),
                    [("nhs_number", "absent", 0), ("date_of_birth", rank == 2 ? "exact" : "different", rank == 2 ? 7 : -4),
                     ("family_name", "close", 3), ("given_name", "exact", 4), ("postcode", "different", -2)]);
                counts.Candidates++;
            }
        }

        writer.Decision(documentId, status, patient.PatientId, reason, now);
    }

    private static string Title(string name) => name[..1] + name[1..].ToLowerInvariant();

    private static string Instant(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteBox(Utf8JsonWriter json, int[] box)
    {
        json.WriteStartArray();
        foreach (int v in box)
        {
            json.WriteNumberValue(v);
        }

        json.WriteEndArray();
    }

    private sealed class Counts
    {
        public long Pages { get; set; }

        public long Identifiers { get; set; }

        public long Candidates { get; set; }
    }

    /// <summary>Prepared inserts, one per table (the column shapes of <c>SqliteDigitiseStore.SaveOutcomeAsync</c>).</summary>
    private sealed class Writer : IDisposable
    {
        private readonly SqliteCommand _source;
        private readonly SqliteCommand _link;
        private readonly SqliteCommand _page;
        private readonly SqliteCommand _document;
        private readonly SqliteCommand _identifier;
        private readonly SqliteCommand _candidate;
        private readonly SqliteCommand _decision;
        private readonly long _batchId;

        public Writer(SqliteConnection connection, SqliteTransaction transaction, long batchId)
        {
            _batchId = batchId;
            _source = Prepare(connection, transaction, """
                INSERT INTO source_files (sha256, length, format, page_count, status, created_utc, updated_utc, pages_ocr, documents_count)
                VALUES ($sha, $length, 'tiff', $pages, 'complete', $now, $now, $pages, 1);
                """, "$sha", "$length", "$pages", "$now");
            _link = Prepare(connection, transaction,
                "INSERT INTO batch_sources (batch_id, path, sha256, recorded_utc) VALUES ($batch, $path, $sha, $now);", "$batch", "$path", "$sha", "$now");
            _page = Prepare(connection, transaction, """
                INSERT INTO pages (sha256, page_number, text, mean_confidence, words_json, width_px, height_px, dpi, origin, ocr_ms, qa_flags, qa_json, barcodes_json)
                VALUES ($sha, $page, $text, $confidence, $words, 1654, 2339, 200, 'ocr', 900, '', NULL, '[]');
                """, "$sha", "$page", "$text", "$confidence", "$words");
            _document = Prepare(connection, transaction, """
                INSERT INTO documents (document_id, sha256, batch_id, first_page, last_page, status, patient_id, match_score, reason, model_version, decided_at)
                VALUES ($id, $sha, $batch, 1, $last, $status, $patient, $score, $reason, $model, $now);
                """, "$id", "$sha", "$batch", "$last", "$status", "$patient", "$score", "$reason", "$model", "$now");
            _identifier = Prepare(connection, transaction, """
                INSERT INTO identifiers (document_id, kind, value, raw, valid, confidence, page, boxes_json)
                VALUES ($id, $kind, $value, $raw, 1, $confidence, 1, $boxes);
                """, "$id", "$kind", "$value", "$raw", "$confidence", "$boxes");
            _candidate = Prepare(connection, transaction,
                "INSERT INTO candidates (document_id, rank, patient_id, score, fields_json) VALUES ($id, $rank, $patient, $score, $fields);",
                "$id", "$rank", "$patient", "$score", "$fields");
            _decision = Prepare(connection, transaction, """
                INSERT INTO decisions (document_id, batch_id, status, patient_id, actor, model_version, reason, at_utc)
                VALUES ($id, $batch, $status, $patient, $actor, $model, $reason, $now);
                """, "$id", "$batch", "$status", "$patient", "$actor", "$model", "$reason", "$now");
        }

        public void Source(string sha, int pages, string now)
        {
            Run(_source, sha, 250_000L * pages, pages, now);
            Run(_link, _batchId, "/scans/bench/" + sha[..12] + ".tif", sha, now);
        }

        public void Page(string sha, int page, List<(string Text, int[] Box, float Confidence, int Line)> words)
        {
            string json = Json(w =>
            {
                w.WriteStartArray();
                foreach ((string text, int[] box, float confidence, int line) in words)
                {
                    w.WriteStartObject();
                    w.WriteString("t", text);
                    w.WritePropertyName("b");
                    WriteBox(w, box);
                    w.WriteNumber("c", MathF.Round(confidence, 1));
                    w.WriteNumber("l", line);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
            Run(_page, sha, page, string.Join(' ', words.Select(x => x.Text)), Math.Round(words.Average(x => x.Confidence), 1), json);
        }

        public void Document(string id, string sha, int pages, string status, string patient, double score, string reason, string now) =>
            Run(_document, id, sha, _batchId, pages, status, patient, score, reason, ModelVersion, now);

        public void Identifier(string id, string kind, string value, string raw, double confidence, int[] box) =>
            Run(_identifier, id, kind, value, raw, confidence, Json(w =>
            {
                w.WriteStartArray();
                WriteBox(w, box);
                w.WriteEndArray();
            }));

        public void Candidate(string id, int rank, string patient, double score, (string Field, string Level, double Weight)[] fields) =>
            Run(_candidate, id, rank, patient, score, Json(w =>
            {
                w.WriteStartArray();
                foreach ((string field, string level, double weight) in fields)
                {
                    w.WriteStartObject();
                    w.WriteString("f", field);
                    w.WriteString("l", level);
                    w.WriteNumber("w", weight);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }));

        public void Decision(string id, string status, string patient, string reason, string now) =>
            Run(_decision, id, _batchId, status, patient, SqliteDigitiseStore.PipelineActor, ModelVersion, reason, now);

        public void Dispose()
        {
            _source.Dispose();
            _link.Dispose();
            _page.Dispose();
            _document.Dispose();
            _identifier.Dispose();
            _candidate.Dispose();
            _decision.Dispose();
        }

        private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] names)
        {
            SqliteCommand command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (string name in names)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            command.Prepare();
            return command;
        }

        private static void Run(SqliteCommand command, params object[] values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i];
            }

            command.ExecuteNonQuery();
        }
    }
}
