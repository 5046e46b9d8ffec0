using Digitise.Storage;
using Microsoft.AspNetCore.Identity;

namespace Digitise.Verify.Ui;

/// <summary>
/// Password hashing with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512, salted,
/// 100,000 iterations in the v3 format), and the account operations the CLI and the sign-in page share.
/// </summary>
public sealed class UserPasswords
{
    public const int MinimumLength = 10;

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

        if (string.IsNullOrEmpty(password) || password.Length < MinimumLength)
        {
            throw new ArgumentException($"A password needs at least {MinimumLength} characters.", nameof(password));
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

    private static readonly string DummyHash = Hasher.HashPassword("nobody", Guid.NewGuid().ToString("N"));
}
