using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Relief.Identity.Storage;

/// <summary>For <c>dotnet ef migrations add</c> only: the model, without a server.</summary>
public sealed class IdentityDbDesignTimeFactory : IDesignTimeDbContextFactory<IdentityDb>
{
    public IdentityDb CreateDbContext(string[] args) =>
        new(IdentityDbOptions.Apply(new DbContextOptionsBuilder<IdentityDb>().UseNpgsql("Host=localhost;Database=identitydb")).Options);
}

public static class IdentityDbOptions
{
    /// <summary>What every use of the context shares: snake_case names (as in the other services' SQL) and OpenIddict's entities.</summary>
    public static TBuilder Apply<TBuilder>(TBuilder options) where TBuilder : DbContextOptionsBuilder
    {
        options.UseSnakeCaseNamingConvention();
        options.UseOpenIddict();
        return options;
    }
}
