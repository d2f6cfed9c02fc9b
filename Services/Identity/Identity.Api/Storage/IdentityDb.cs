using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using Relief.Identity.Audit;
using Relief.Identity.Offices;
using Relief.Identity.SigningKeys;
using Relief.Identity.Users;

namespace Relief.Identity.Storage;

/// <summary>
/// The authority's database (identitydb): ASP.NET Core Identity's users and roles, OpenIddict's applications,
/// authorizations and tokens, offices, keys, Data Protection's key ring and the sign-in audit. EF Core is used
/// here only, because both Identity and OpenIddict ship their stores for it; every other service uses SQL.
/// </summary>
public sealed class IdentityDb(DbContextOptions<IdentityDb> options)
    : IdentityDbContext<StaffUser, IdentityRole, string>(options), IDataProtectionKeyContext
{
    public DbSet<Office> Offices => Set<Office>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict();

        // snake_case table names like every other Relief database (columns follow the naming convention).
        builder.Entity<StaffUser>().ToTable("users");
        builder.Entity<IdentityRole>().ToTable("roles");
        builder.Entity<IdentityUserRole<string>>().ToTable("user_roles");
        builder.Entity<IdentityUserClaim<string>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<string>>().ToTable("user_logins");
        builder.Entity<IdentityUserToken<string>>().ToTable("user_tokens");
        builder.Entity<IdentityRoleClaim<string>>().ToTable("role_claims");
        builder.Entity<OpenIddictEntityFrameworkCoreApplication>().ToTable("openiddict_applications");
        builder.Entity<OpenIddictEntityFrameworkCoreAuthorization>().ToTable("openiddict_authorizations");
        builder.Entity<OpenIddictEntityFrameworkCoreScope>().ToTable("openiddict_scopes");
        builder.Entity<OpenIddictEntityFrameworkCoreToken>().ToTable("openiddict_tokens");

        builder.Entity<Office>(office =>
        {
            office.ToTable("offices");
            office.HasKey(o => o.Code);
            office.Property(o => o.Code).HasMaxLength(32);
            office.Property(o => o.Name).HasMaxLength(200);
            office.Property(o => o.Kind).HasMaxLength(32);
            office.Property(o => o.CountyCode).HasMaxLength(6).IsFixedLength();
        });

        builder.Entity<StaffUser>(user =>
        {
            user.Property(u => u.OfficeCode).HasMaxLength(32);
            user.HasOne<Office>().WithMany().HasForeignKey(u => u.OfficeCode).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<SigningKey>(key =>
        {
            key.ToTable("signing_keys");
            key.HasKey(k => k.KeyId);
            key.Property(k => k.KeyId).HasMaxLength(64);
            key.Property(k => k.Use).HasMaxLength(3);
        });

        builder.Entity<AuditEntry>(entry =>
        {
            entry.ToTable("audit_entries");
            entry.Property(e => e.Id).UseIdentityAlwaysColumn();
            entry.Property(e => e.Actor).HasMaxLength(256);
            entry.Property(e => e.Action).HasMaxLength(64);
            entry.Property(e => e.Outcome).HasMaxLength(32);
            entry.Property(e => e.ClientIp).HasMaxLength(64);
            entry.Property(e => e.ClientId).HasMaxLength(100);
            entry.Property(e => e.Detail).HasMaxLength(1000);
            entry.HasIndex(e => e.OccurredAt);
        });
    }
}
