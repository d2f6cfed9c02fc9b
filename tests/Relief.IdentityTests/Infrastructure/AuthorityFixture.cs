using Relief.Testing;

namespace Relief.IdentityTests.Infrastructure;

/// <summary>A started authority shared by the tests of one class.</summary>
public class AuthorityFixture : IAsyncLifetime
{
    public Authority Authority { get; private set; } = null!;

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public Task InitializeAsync()
    {
        Authority = new Authority(Settings);
        _ = Authority.Server; // start it: the database is migrated and seeded before it answers
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Authority.DisposeAsync();
}
