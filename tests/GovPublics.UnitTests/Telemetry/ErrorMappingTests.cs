using System.Text;
using GovPublics.Catalog;
using GovPublics.Common.Grpc;
using Grpc.Core;

namespace GovPublics.UnitTests.Telemetry;

public sealed class ErrorMappingTests
{
    [Fact]
    public void A_few_violations_travel_whole()
    {
        var ex = ErrorMappingInterceptor.ToRpcException(new ValidationFailedException([new("name", "is required"), new("id", "is too long")]));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("name: is required; id: is too long", ex.Status.Detail);
        Assert.Equal(["name", "id"], ex.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public void Hundreds_of_violations_are_cut_to_what_a_status_can_carry_saying_how_many_more_there_are()
    {
        var violations = Enumerable.Range(0, 1_000)
            .Select(i => new FieldViolation($"documents[{i}].terms", "термин повторяется в другой теме; уберите один из двух"))
            .ToList();
        var ex = ErrorMappingInterceptor.ToRpcException(new ValidationFailedException(violations));

        var listed = ex.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations;
        Assert.True(listed.Count <= ErrorMappingInterceptor.MaxViolations + 1);
        Assert.EndsWith($"and {1_000 - (listed.Count - 1)} more violation(s) not listed here", listed[^1].Description, StringComparison.Ordinal);
        Assert.True(listed.Sum(v => Encoding.UTF8.GetByteCount(v.Field + v.Description)) < ErrorMappingInterceptor.MaxViolationBytes + 200);
        Assert.True(ex.Status.Detail.Length < ErrorMappingInterceptor.MaxMessageLength + 100);
        Assert.EndsWith($"and {1_000 - (listed.Count - 1)} more violation(s) not listed here", ex.Status.Detail, StringComparison.Ordinal);
    }
}
