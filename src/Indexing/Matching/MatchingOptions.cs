namespace Digitise.Indexing.Matching;

/// <summary>Decision thresholds for <see cref="FellegiSunterMatcher"/> (configuration section <c>Matching</c>).</summary>
public sealed class MatchingOptions
{
    /// <summary>The best candidate's probability (normalised against its rivals and "not on the index") needed to file automatically.</summary>
    public double AutoFileProbability { get; init; } = 0.999;

    /// <summary>Match-weight units (log2) by which every rival must trail the best candidate to file automatically (NHS England uses 5).</summary>
    public double RivalMarginWeight { get; init; } = 5;

    /// <summary>Below this probability the best candidate is not worth a clerk's time: the document is unmatched.</summary>
    public double ReviewProbability { get; init; } = 0.01;

    /// <summary>Candidates shown to the clerk, at most.</summary>
    public int MaxCandidates { get; init; } = 10;

    /// <summary>A blocking key shared by more patients than this is too common to narrow anything and is skipped.</summary>
    public int MaxBlockSize { get; init; } = 2000;

    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (AutoFileProbability is <= 0.5 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(AutoFileProbability), AutoFileProbability, "Matching:AutoFileProbability must be in (0.5, 1].");
        }

        if (ReviewProbability < 0 || ReviewProbability >= AutoFileProbability)
        {
            throw new ArgumentOutOfRangeException(nameof(ReviewProbability), ReviewProbability, "Matching:ReviewProbability must be in [0, AutoFileProbability).");
        }

        if (RivalMarginWeight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RivalMarginWeight), RivalMarginWeight, "Matching:RivalMarginWeight must not be negative.");
        }

        if (MaxCandidates < 1 || MaxBlockSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCandidates), "Matching:MaxCandidates and Matching:MaxBlockSize must be at least 1.");
        }
    }
}
