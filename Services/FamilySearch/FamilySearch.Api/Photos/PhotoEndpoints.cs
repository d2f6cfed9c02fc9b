using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Relief.ServiceDefaults.Authentication;

namespace Relief.FamilySearch.Photos;

/// <summary>The answer to an upload: the id of the photo Relief keeps (not the file that was sent).</summary>
public sealed record PhotoUploaded(Guid PhotoId);

/// <summary>
/// 照片: uploaded at intake (point staff) or at the station, for a case in the uploader's scope; served only to staff in
/// scope of its case. The public sees a photo only through a published notice (<c>/api/public/notices/{id}/photo</c>).
/// </summary>
public static class PhotoEndpoints
{
    public const string FileField = "file";

    public static readonly string[] Staff =
        [ReliefRoles.PointStaff, ReliefRoles.StationStaff, ReliefRoles.CountyOfficer, ReliefRoles.CityAdministrator];

    /// <summary>Room for the multipart framing around the file itself.</summary>
    private const long MultipartOverhead = 64 * 1024;

    public static IEndpointRouteBuilder MapPhotoEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/family-search").WithTags("Photos");
        group.MapPost("/cases/{caseId:guid}/photos", UploadAsync).RequireAuthorization(policy => policy.RequireRole(Staff));
        group.MapGet("/photos/{id:guid}", GetAsync).RequireAuthorization(policy => policy.RequireRole(Staff));
        return app;
    }

    public static async Task<Results<Created<PhotoUploaded>, NotFound, ValidationProblem>> UploadAsync(
        Guid caseId, HttpContext http, PhotoProcessing processing, PhotoStore store, CancellationToken cancellationToken)
    {
        var user = ReliefUser.From(http.User);
        // Out of scope is not found: an upload must not tell whether a case exists.
        if (!await store.CaseInScopeAsync(caseId, user, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var (upload, refusal) = await ReadFileAsync(http, processing.MaxBytes, cancellationToken);
        if (upload is null)
        {
            return Refused(refusal!);
        }

        var (photo, unusable) = await processing.ProcessAsync(upload, cancellationToken);
        if (photo is null)
        {
            return Refused(unusable!.Reason);
        }

        var id = await store.KeepAsync(caseId, photo, user, cancellationToken);
        return TypedResults.Created($"/api/family-search/photos/{id}", new PhotoUploaded(id));
    }

    public static async Task<Results<FileContentHttpResult, NotFound>> GetAsync(
        Guid id, HttpContext http, PhotoStore store, CancellationToken cancellationToken)
    {
        var jpeg = await store.FindAsync(id, ReliefUser.From(http.User), cancellationToken);
        return jpeg is null ? TypedResults.NotFound() : TypedResults.File(jpeg, "image/jpeg");
    }

    private static ValidationProblem Refused(string reason) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [FileField] = [reason] });

    /// <summary>The uploaded file's bytes, or why there are none usable — too large refused before it is copied.</summary>
    private static async Task<(byte[]? Upload, string? Refusal)> ReadFileAsync(HttpContext http, long maxBytes, CancellationToken cancellationToken)
    {
        // Requests are small forms (64 KB, RequestProtection); this one request may carry a photo.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = maxBytes + MultipartOverhead;
        }

        if (!http.Request.HasFormContentType)
        {
            return (null, "以 multipart/form-data 上传照片，字段名 file / upload the photo as multipart/form-data in the field 'file'");
        }

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(cancellationToken);
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, PhotoProcessing.TooLarge);
        }
        catch (InvalidDataException)
        {
            // The multipart framing is broken or over the form's limits.
            return (null, PhotoProcessing.NotAnImage);
        }

        var file = form.Files.GetFile(FileField);
        if (file is null || file.Length == 0)
        {
            return (null, "请选择要上传的照片 / choose a photo to upload in the field 'file'");
        }

        if (file.Length > maxBytes)
        {
            return (null, $"{PhotoProcessing.TooLarge}（≤ {maxBytes / (1024 * 1024)} MB）");
        }

        var bytes = new byte[file.Length];
        await using var content = file.OpenReadStream();
        await content.ReadExactlyAsync(bytes, cancellationToken);
        return (bytes, null);
    }
}

public static class PhotoServices
{
    public static WebApplicationBuilder AddPhotoServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PhotoOptions>().BindConfiguration(PhotoOptions.SectionName);
        builder.Services.AddSingleton<PhotoProcessing>();
        builder.Services.AddScoped<PhotoStore>();
        return builder;
    }
}
