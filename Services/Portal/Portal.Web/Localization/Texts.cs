using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Relief.ServiceDefaults;
using Relief.ServiceDefaults.Authentication;

namespace Relief.Portal;

/// <summary>
/// The portal's words. Pages write them in Chinese, which is also the key: <c>L["机构"]</c>; English comes from
/// <c>Localization/Texts.en.resx</c>. A missing English entry shows the Chinese, never an empty label.
/// </summary>
public sealed class Texts
{
    public static readonly string[] Cultures = ["zh-CN", "en"];

    public static RequestLocalizationOptions LocalizationOptions()
    {
        var options = new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture("zh-CN"),
            SupportedCultures = [.. Cultures.Select(CultureInfo.GetCultureInfo)],
            SupportedUICultures = [.. Cultures.Select(CultureInfo.GetCultureInfo)],
        };
        // Chinese unless the user chose English here: office PCs' browsers are set up every which way.
        options.RequestCultureProviders = [new CookieRequestCultureProvider()];
        return options;
    }

    /// <summary>Roles as staff call them (keys of the localizer).</summary>
    public static readonly IReadOnlyDictionary<string, string> Roles = new Dictionary<string, string>
    {
        [ReliefRoles.PointStaff] = "服务点工作人员",
        [ReliefRoles.HotlineOperator] = "热线接线员",
        [ReliefRoles.StationStaff] = "救助站工作人员",
        [ReliefRoles.CountyOfficer] = "县级民政工作人员",
        [ReliefRoles.CityAdministrator] = "市级系统管理员",
        [ReliefRoles.Auditor] = "审计人员",
    };

    /// <summary>Kinds of office (keys of the localizer).</summary>
    public static readonly IReadOnlyDictionary<string, string> OfficeKinds = new Dictionary<string, string>
    {
        [ServiceDefaults.Authentication.OfficeKinds.ServicePoint] = "临时救助服务点",
        [ServiceDefaults.Authentication.OfficeKinds.ReliefStation] = "救助管理站",
        [ServiceDefaults.Authentication.OfficeKinds.Hotline] = "救助热线",
        [ServiceDefaults.Authentication.OfficeKinds.CountyOffice] = "县级民政部门",
        [ServiceDefaults.Authentication.OfficeKinds.CityBureau] = "市民政局",
    };

    /// <summary>The county's name in Chinese (place names are not translated), or the code when unknown.</summary>
    public static string County(string? code) =>
        code is null ? "" : code == "140800" ? "运城市" : YunchengCounties.Names.TryGetValue(code, out var name) ? name : code;
}
