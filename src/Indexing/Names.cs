using System.Collections.Frozen;
using System.Text;

namespace Digitise.Indexing;

/// <summary>Name normalisation and comparison shared by the extractor, the index and the matcher.</summary>
internal static class Names
{
    private static readonly FrozenSet<string> JunkGivenNames = FrozenSet.ToFrozenSet(
        ["BABY", "BABYBOY", "BABYGIRL", "BOY", "GIRL", "TWIN", "TWINONE", "TWINTWO", "TWIN1", "TWIN2", "UNKNOWN", "NK", "NOTKNOWN"],
        StringComparer.Ordinal);

    private static readonly string[][] NicknameGroups =
    [
        ["WILLIAM", "BILL", "BILLY", "WILL", "WILLIE", "LIAM"],
        ["MARGARET", "MAGGIE", "MAGGY", "MEG", "PEGGY", "MARGE", "MADGE", "GRETA"],
        ["ROBERT", "BOB", "BOBBY", "ROB", "ROBBIE", "BERT"],
        ["ELIZABETH", "LIZ", "LIZZIE", "BETH", "BETTY", "ELIZA", "LISA", "BESS", "ELSIE"],
        ["JAMES", "JIM", "JIMMY", "JAMIE"],
        ["MOHAMMED", "MUHAMMAD", "MOHAMMAD", "MOHAMED", "MUHAMMED", "MOHAMAD", "MOHD"],
        ["RICHARD", "DICK", "RICK", "RICHIE", "RICKY"],
        ["EDWARD", "ED", "EDDIE", "TED", "TEDDY", "NED"],
        ["THOMAS", "TOM", "TOMMY"],
        ["ANTHONY", "TONY"],
        ["CHRISTOPHER", "CHRIS", "KIT"],
        ["JOHN", "JACK", "JOHNNY", "JON"],
        ["MICHAEL", "MIKE", "MICK", "MICKY"],
        ["PATRICK", "PAT", "PADDY"],
        ["PATRICIA", "PAT", "TRICIA", "TRISH", "PATSY"],
        ["KATHERINE", "CATHERINE", "KATHRYN", "KATE", "KATIE", "KATHY", "CATHY", "KAY", "KITTY"],
        ["SUSAN", "SUE", "SUSIE"],
        ["DOROTHY", "DOT", "DOTTIE", "DOLLY"],
        ["MARY", "MOLLY", "POLLY", "MAY"],
        ["ALEXANDER", "ALEX", "ALEC", "SANDY", "ALASDAIR", "ALISTAIR"],
        ["FREDERICK", "FRED", "FREDDIE", "FREDDY"],
        ["HENRY", "HARRY", "HAL"],
        ["ALBERT", "BERT", "BERTIE", "AL"],
        ["DAVID", "DAVE", "DAI", "DAVY"],
        ["DANIEL", "DAN", "DANNY"],
        ["JOSEPH", "JOE", "JOEY"],
        ["PETER", "PETE"],
        ["SAMUEL", "SAM", "SAMMY"],
        ["CHARLES", "CHARLIE", "CHAS", "CHUCK"],
        ["NICHOLAS", "NICK", "NICKY"],
        ["STEPHEN", "STEVEN", "STEVE"],
        ["GEOFFREY", "JEFFREY", "GEOFF", "JEFF"],
        ["ANNE", "ANN", "ANNIE", "NANCY", "HANNAH"],
        ["HELEN", "ELLEN", "NELL", "NELLIE"],
        ["JENNIFER", "JENNY", "JEN"],
        ["VICTORIA", "VICKY", "VIKKI", "TORI"],
        ["REBECCA", "BECKY", "BECCA"],
        ["DEBORAH", "DEBBIE", "DEBRA", "DEB"],
        ["ABDUL", "ABDOUL"],
        ["SIOBHAN", "SHIVAUN"],
        ["SEAN", "SHAUN", "SHAWN"],
    ];

    private static readonly FrozenDictionary<string, int[]> Nicknames = BuildNicknames();

    /// <summary>Upper case, letters only (apostrophes, hyphens and spaces dropped), "MAC" prefix folded to "MC".</summary>
    public static string Key(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(name.Length);
        foreach (char c in name.Normalize(NormalizationForm.FormD))
        {
            if (char.IsLetter(c))
            {
                builder.Append(char.ToUpperInvariant(c));
            }
        }

        if (builder.Length > 4 && builder[0] == 'M' && builder[1] == 'A' && builder[2] == 'C')
        {
            builder.Remove(1, 1);
        }

        return builder.ToString();
    }

    /// <summary>Upper case with curly apostrophes straightened and runs of spaces collapsed; punctuation kept.</summary>
    public static string Display(string name) =>
        string.Join(' ', name.Replace('\u2019', '\'').Replace('\u2018', '\'').ToUpperInvariant()
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public static bool IsJunkGivenName(string key) => key.Length == 0 || JunkGivenNames.Contains(key);

    /// <summary>Nickname or transliteration pair (Bill/William, Mohammed/Muhammad); both arguments are <see cref="Key"/>s.</summary>
    public static bool AreNicknames(string a, string b) =>
        Nicknames.TryGetValue(a, out int[]? groupsA) && Nicknames.TryGetValue(b, out int[]? groupsB)
        && groupsA.Intersect(groupsB).Any();

    private static FrozenDictionary<string, int[]> BuildNicknames() =>
        NicknameGroups
            .SelectMany((group, index) => group.Select(name => (name, index)))
            .GroupBy(pair => pair.name, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(p => p.index).Distinct().ToArray(), StringComparer.Ordinal);
}
