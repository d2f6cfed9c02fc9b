using Relief.Testing;

namespace Relief.IntegrationTests.Infrastructure;

/// <summary>
/// One identity authority for the whole test run, in this process on its own database: every service under test
/// validates its tokens, and every test user signs in there for real.
/// </summary>
public static class SharedAuthority
{
    private static readonly Lazy<Authority> Host = new(() =>
    {
        var authority = new Authority();
        _ = authority.Server; // migrated and seeded before the first sign-in
        return authority;
    });

    public static Authority Instance => Host.Value;

    public static TestSignIn SignIn { get; } = new(() => Instance.CreateClient(), Authority.AdminUserName, Authority.AdminPassword);
}
