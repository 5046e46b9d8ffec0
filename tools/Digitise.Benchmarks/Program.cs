using Digitise.Benchmarks;

// digitise-bench [--pages N] [--memory-pages M] [--repeat R] [--seed S] [--cores C] [--keep]   the side-by-side benchmark (markdown on stdout)
// digitise-bench profile DIR                                                       where a page's time goes, step by step (one thread)
// digitise-bench levers DIR [--repeat R]                                          what each way of handing a page to Tesseract costs (thread CPU)
// digitise-bench readability [--typed N] [--handwritten N] [--poor N] [--seed S]   the unreadable-page flag on generated pages
// digitise-bench ceiling DIR [--threads N]                                          raw Tesseract, one reused engine per thread
// digitise-bench mpi [--patients N] [--fhir-patients N] [--queries N] [--seed S]        the MPI at scale (import, index, lookup latency)
// digitise-bench mpi-run before|after CSV DB                                      one way of run's MPI preparation (a child of mpi)
if (args.Length > 0 && args[0] == "mpi")
{
    using var cancelMpi = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancelMpi.Cancel();
    };
    return await MpiBenchmark.RunAsync(args[1..], Console.Out, Console.Error, cancelMpi.Token);
}

if (args.Length == 4 && args[0] == "mpi-run")
{
    return await MpiRunPreparation.RunAsync(args[1], args[2], args[3], Console.Out, CancellationToken.None);
}

if (args.Length > 0 && args[0] == "profile")
{
    return ProfileCommand.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "readability")
{
    return ReadabilityCommand.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "levers")
{
    return LeversCommand.Run(args.AsSpan(1));
}

if (args.Length > 0 && args[0] == "ceiling")
{
    return CeilingCommand.Run(args.AsSpan(1));
}

BenchOptions? options = BenchOptions.Parse(args, Console.Error);
if (options is null)
{
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    return await BenchmarkRunner.RunAsync(options, Console.Out, Console.Error, cancel.Token);
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("digitise-bench: cancelled");
    return 130;
}
