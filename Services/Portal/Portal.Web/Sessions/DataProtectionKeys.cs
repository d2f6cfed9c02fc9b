using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Relief.Portal.Sessions;

/// <summary>The portal's data-protection key ring in portaldb (<c>data_protection_keys</c>).</summary>
public sealed class DataProtectionKeys(NpgsqlDataSource database) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = database.OpenConnection();
        return connection.Query<string>("select xml from data_protection_keys order by created_at")
            .Select(xml => XElement.Parse(xml))
            .ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = database.OpenConnection();
        connection.Execute(
            "insert into data_protection_keys (name, xml) values (@friendlyName, @xml) on conflict (name) do update set xml = excluded.xml",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }

    public sealed class Setup(NpgsqlDataSource database) : IConfigureOptions<KeyManagementOptions>
    {
        public void Configure(KeyManagementOptions options) => options.XmlRepository = new DataProtectionKeys(database);
    }
}
