using System.Reflection;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Relief.ServiceDefaults.Data;

/// <summary>
/// Creates the service's database if it is missing and applies its embedded <c>NNNN_verb_object.sql</c>
/// scripts (the shared outbox/inbox scripts first), under an advisory lock so two instances starting at once
/// take turns instead of racing.
/// </summary>
public sealed partial class DatabaseMigrator(
    NpgsqlDataSource dataSource, IConfiguration configuration, DatabaseMigrator.Scripts scripts, ILogger<DatabaseMigrator> logger)
    : IHostedService
{
    /// <summary>The service's migration scripts and the name of its connection string.</summary>
    public sealed record Scripts(Assembly Assembly, string ConnectionName);

    // Any fixed number will do; it only has to be the same for every instance of every service.
    private const long MigrationLockKey = 0x52454c494546; // "RELIEF"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The data source's own string has the password stripped; creating the database needs it.
        var connectionString = configuration.GetConnectionString(scripts.ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{scripts.ConnectionName} is not configured.");
        await EnsureDatabaseAsync(connectionString, cancellationToken);

        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("select pg_advisory_lock(@key)", lockConnection))
        {
            take.Parameters.AddWithValue("key", MigrationLockKey);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var upgrade = DeployChanges.To
                .PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, IsSql, new SqlScriptOptions { RunGroupOrder = 0 })
                .WithScriptsEmbeddedInAssembly(scripts.Assembly, IsSql, new SqlScriptOptions { RunGroupOrder = 1 })
                .WithTransactionPerScript()
                .LogTo(new MigrationLog(logger))
                .Build()
                .PerformUpgrade();

            if (!upgrade.Successful)
            {
                throw new InvalidOperationException($"Migration script {upgrade.ErrorScript?.Name} failed.", upgrade.Error);
            }
        }
        finally
        {
            await using var release = new NpgsqlCommand("select pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static bool IsSql(string resourceName) => resourceName.EndsWith(".sql", StringComparison.Ordinal);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One database per service on a shared server: the service creates its own on first start.</summary>
    public static async Task EnsureDatabaseAsync(string connectionString, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var databaseName = target.Database ?? throw new InvalidOperationException("The connection string names no database.");
        var server = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };

        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
        exists.Parameters.AddWithValue("name", databaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }

        try
        {
            // An identifier cannot be a parameter; quote it the way PostgreSQL does.
            await using var create = new NpgsqlCommand($"create database \"{databaseName.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another instance created it a moment ago.
        }
    }

    private sealed partial class MigrationLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        public void LogInformation(string format, params object[] args) => Write(LogLevel.Information, format, args);
        public void LogWarning(string format, params object[] args) => Write(LogLevel.Warning, format, args);
        public void LogError(string format, params object[] args) => Write(LogLevel.Error, format, args);
        public void LogError(Exception ex, string format, params object[] args) => Write(LogLevel.Error, format, args);

        // DbUp's messages name scripts and counts, never data.
        private void Write(LogLevel level, string format, object[] args)
        {
            if (!logger.IsEnabled(level))
            {
                return;
            }

            var message = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
            switch (level)
            {
                case LogLevel.Error: LogMigrationError(logger, message); break;
                case LogLevel.Warning: LogMigrationWarning(logger, message); break;
                default: LogMigration(logger, message); break;
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Migration: {Message}")]
        private static partial void LogMigration(ILogger logger, string message);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Migration: {Message}")]
        private static partial void LogMigrationWarning(ILogger logger, string message);

        [LoggerMessage(Level = LogLevel.Error, Message = "Migration: {Message}")]
        private static partial void LogMigrationError(ILogger logger, string message);
    }
}
