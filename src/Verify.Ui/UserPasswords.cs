using Digitise.Storage;
using Microsoft.AspNetCore.Identity;

namespace Digitise.Verify.Ui;

/// <summary>
/// Password hashing with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512, salted,
/// 100,000 iterations in the v3 format), and the account operations the CLI and the sign-in page share.
/// </summary>
public sealed class UserPasswords
{
    public const int MinimumLength = 12;

    private static readonly PasswordHasher<string> Hasher = new();

    private readonly IVerificationStore _store;

    public UserPasswords(IVerificationStore store) => _store = store;

    /// <summary>Creates or updates an account. Returns true when created.</summary>
    public async Task<bool> SaveAsync(string userName, string password, string role, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        if (userName.Length > 64 || !userName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            throw new ArgumentException("A user name is 1-64 letters, digits, '.', '-' or '_'.", nameof(userName));
        }

        if (Weakness(userName, password) is { } weakness)
        {
            throw new ArgumentException(weakness, nameof(password));
        }

        if (!Roles.IsKnown(role))
        {
            throw new ArgumentException($"Unknown role '{role}': use one of {string.Join(", ", Roles.All)}.", nameof(role));
        }

        return await _store.SaveUserAsync(userName, Hasher.HashPassword(userName, password), role, actor, cancellationToken);
    }

    /// <summary>The account when the password is right and the account is enabled; otherwise null.</summary>
    public async Task<UserAccount?> VerifyAsync(string userName, string password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password))
        {
            return null;
        }

        UserAccount? account = await _store.FindUserAsync(userName, cancellationToken);
        if (account is null || account.Disabled)
        {
            // Same work either way, so timing does not tell which user names exist.
            Hasher.VerifyHashedPassword(userName, DummyHash, password);
            return null;
        }

        PasswordVerificationResult result = Hasher.VerifyHashedPassword(account.UserName, account.PasswordHash, password);
        return result == PasswordVerificationResult.Failed ? null : account;
    }

    /// <summary>Why a password is refused (too short, common, the user name, too few different characters); null when acceptable.</summary>
    public static string? Weakness(string userName, string? password)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinimumLength)
        {
            return $"A password needs at least {MinimumLength} characters.";
        }

        if (password.Length > 256)
        {
            return "A password has at most 256 characters.";
        }

        if (CommonPasswords.Contains(password.Trim()))
        {
            return "That password is in the list of common passwords: choose another (a few unrelated words make a good one).";
        }

        if (!string.IsNullOrEmpty(userName) && password.Contains(userName, StringComparison.OrdinalIgnoreCase))
        {
            return "A password must not contain the user name.";
        }

        return password.Distinct().Count() < 5 ? "A password needs at least 5 different characters." : null;
    }

    /// <summary>The shipped list (<c>common-passwords.txt</c>, embedded), compared case-insensitively.</summary>
    private static readonly HashSet<string> CommonPasswords = LoadCommonPasswords();

    private static HashSet<string> LoadCommonPasswords()
    {
        using Stream stream = typeof(UserPasswords).Assembly.GetManifestResourceStream("Digitise.Verify.Ui.common-passwords.txt")
            ?? throw new InvalidOperationException("common-passwords.txt is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                set.Add(line.Trim());
            }
        }

        return set;
    }

    private static readonly string DummyHash = Hasher.HashPassword("nobody", Guid.NewGuid().ToString("N"));
}
