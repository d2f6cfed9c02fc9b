using Relief.Intake.ServicePoints;

namespace Relief.Intake.Cases;

/// <summary>
/// Every case is registered at an embedded point of its county — the point the person walked into, or for hotline,
/// outreach and police cases the point that takes the person in. Checked against Intake's own copy of the network, so
/// registration goes on while Registry is down.
/// </summary>
public static class RegistrationPoint
{
    private static readonly Dictionary<string, (string Chinese, string English)> StatusNames = new()
    {
        ["planned"] = ("尚在规划", "is still planned"),
        ["suspended"] = ("已暂停", "is suspended"),
        ["closed"] = ("已关闭", "is closed"),
    };

    /// <summary>The field errors that refuse this case at this point, or null when it may be registered there.</summary>
    public static Dictionary<string, string[]>? Refusal(ServicePointDirectory.KnownPoint? point, RegisterCaseRequest request)
    {
        if (point is null)
        {
            return new() { ["servicePointCode"] = [$"没有编码为 {request.ServicePointCode} 的服务点 / no service point has this code"] };
        }

        if (point.Status != "embedded")
        {
            var (chinese, english) = StatusNames.GetValueOrDefault(point.Status, (point.Status, $"is {point.Status}"));
            return new() { ["servicePointCode"] = [$"服务点{point.Name}{chinese}，不能登记 / the point {english}: cases are registered at embedded points only"] };
        }

        if (point.CountyCode != request.CountyCode)
        {
            return new() { ["countyCode"] = [$"服务点{point.Name}属于 {point.CountyCode} / the point belongs to county {point.CountyCode}"] };
        }

        return null;
    }
}
