using Npgsql;

namespace Relief.IntegrationTests.Infrastructure;

/// <summary>
/// The real PostgreSQL and RabbitMQ that the test command (tests/run.sh) starts for this run and hands over in
/// environment variables. Each test class takes its own database and virtual host on them.
/// </summary>
public static class TestInfrastructure
{
    public static string PostgresServer => Require("RELIEF_TEST_POSTGRES");
    /// <summary>amqp://user:password@127.0.0.1:port — no virtual host.</summary>
    public static Uri RabbitMq => new(Require("RELIEF_TEST_RABBITMQ"));
    public static Uri RabbitMqManagement => new(Require("RELIEF_TEST_RABBITMQ_MANAGEMENT"));

    public static string DatabaseConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(PostgresServer) { Database = database }.ConnectionString;

    public static string NewName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 40)];

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set: run the tests with tests/run.sh, which starts PostgreSQL and RabbitMQ for them.");
}
