using Digitise.VerifyBench;

// digitise-bench-verify [--documents N] [--rounds R] [--warmup W] ...   a clerk's confirm-and-next round trip (markdown on stdout)
VerifyBenchOptions? options = VerifyBenchOptions.Parse(args, Console.Error);
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
    return await VerifyBenchmark.RunAsync(options, Console.Out, Console.Error, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("digitise-bench-verify: cancelled");
    return 130;
}
