using System.Text.Json;
using Npgsql;

namespace Relief.Ops;

/// <summary>
/// Where a stack started by <c>./run.sh</c> in local mode is, read from its data folder: the generated secrets, the
/// port PostgreSQL listens on this run (its <c>postmaster.pid</c>), the broker's ports (<c>rabbitmq/ports</c>).
/// </summary>
public sealed class LocalStack(string dataFolder)
{
    public static readonly IReadOnlyDictionary<string, string> Databases = new Dictionary<string, string>
    {
        ["identity"] = "identitydb",
        ["intake"] = "intakedb",
        ["registry"] = "registrydb",
        ["referral"] = "referraldb",
        ["notification"] = "notificationdb",
        ["reporting"] = "reportingdb",
        ["familysearch"] = "familysearchdb",
    };

    /// <summary>The same rule as the AppHost and run.sh: /var/lib/relief for root, else $XDG_DATA_HOME/relief.</summary>
    public static string DefaultDataFolder()
    {
        if (Environment.GetEnvironmentVariable("Infrastructure__DataFolder") is { Length: > 0 } configured)
        {
            return configured;
        }

        if (Environment.UserName == "root")
        {
            return "/var/lib/relief";
        }

        var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        return Path.Combine(string.IsNullOrEmpty(dataHome)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share")
            : dataHome, "relief");
    }

    public string DatabaseConnectionString(string service)
    {
        if (!Databases.TryGetValue(service, out var database))
        {
            throw new OpsException($"There is no service '{service}'; one of: {string.Join(", ", Databases.Keys)}.");
        }

        // postmaster.pid: pid, data directory, start time, port, socket directory, …
        var pidFile = Path.Combine(dataFolder, "postgres", "db", "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            throw new OpsException($"PostgreSQL is not running on {dataFolder} (no {pidFile}): start the stack with ./run.sh.");
        }

        var port = File.ReadAllLines(pidFile)[3].Trim();
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = int.Parse(port, System.Globalization.CultureInfo.InvariantCulture),
            Username = "postgres",
            Password = Secret("postgres-password"),
            Database = database,
            Pooling = false,
        }.ConnectionString;
    }

    public Uri Amqp() => new($"amqp://relief:{Uri.EscapeDataString(Secret("messaging-password"))}@127.0.0.1:{BrokerPort("amqp")}/");

    public Uri Management() => new($"http://127.0.0.1:{BrokerPort("management")}/");

    public string BrokerPassword => Secret("messaging-password");

    /// <summary>The first city administrator's password (the demo network is loaded as them).</summary>
    public string AdminPassword => Secret("identity-admin-password");

    private string BrokerPort(string name)
    {
        var ports = Path.Combine(dataFolder, "rabbitmq", "ports");
        if (!File.Exists(ports) || !File.Exists(Path.Combine(dataFolder, "rabbitmq", "server.pid")))
        {
            throw new OpsException($"RabbitMQ is not running on {dataFolder}: start the stack with ./run.sh.");
        }

        return File.ReadAllLines(ports).Select(line => line.Split('=', 2)).First(pair => pair[0] == name)[1];
    }

    private string Secret(string name)
    {
        var file = Path.Combine(dataFolder, "secrets.json");
        if (!File.Exists(file))
        {
            throw new OpsException($"No secrets in {dataFolder}: is this the stack's data folder (--data-folder)?");
        }

        var secrets = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file)) ?? [];
        return secrets.TryGetValue(name, out var value) ? value : throw new OpsException($"{file} holds no {name}.");
    }
}

/// <summary>A problem the operator can fix; printed without a stack trace.</summary>
public sealed class OpsException(string message) : Exception(message);
