namespace Digitise.Indexing;

/// <summary>Jaro-Winkler string similarity (0-1), with the usual 0.1 prefix scale over at most four characters.</summary>
public static class JaroWinkler
{
    public static double Similarity(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length == 0 && b.Length == 0)
        {
            return 1;
        }

        if (a.Length == 0 || b.Length == 0)
        {
            return 0;
        }

        int window = Math.Max(0, (Math.Max(a.Length, b.Length) / 2) - 1);
        Span<bool> matchedA = a.Length <= 256 ? stackalloc bool[a.Length] : new bool[a.Length];
        Span<bool> matchedB = b.Length <= 256 ? stackalloc bool[b.Length] : new bool[b.Length];
        int matches = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int end = Math.Min(i + window + 1, b.Length);
            for (int j = Math.Max(0, i - window); j < end; j++)
            {
                if (!matchedB[j] && a[i] == b[j])
                {
                    matchedA[i] = matchedB[j] = true;
                    matches++;
                    break;
                }
            }
        }

        if (matches == 0)
        {
            return 0;
        }

        int transpositions = 0;
        for (int i = 0, k = 0; i < a.Length; i++)
        {
            if (!matchedA[i])
            {
                continue;
            }

            while (!matchedB[k])
            {
                k++;
            }

            if (a[i] != b[k++])
            {
                transpositions++;
            }
        }

        double m = matches;
        double jaro = ((m / a.Length) + (m / b.Length) + ((m - (transpositions / 2.0)) / m)) / 3;
        int prefix = 0;
        while (prefix < Math.Min(4, Math.Min(a.Length, b.Length)) && a[prefix] == b[prefix])
        {
            prefix++;
        }

        return jaro + (prefix * 0.1 * (1 - jaro));
    }
}
