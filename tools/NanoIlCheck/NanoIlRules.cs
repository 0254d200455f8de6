using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace ChargeManager.Tools.NanoIlCheck;

/// <summary>
/// What nanoFramework 1.x cannot run although Roslyn compiles it (spec nanoframework.md §1.11):
/// generic definitions and instantiations (Action&lt;T&gt;/Func&lt;T&gt; included), multidimensional
/// arrays, and references to any assembly but mscorlib. Reads the compiled IL's metadata,
/// so nothing hides behind syntax (closures, compiler-generated classes, signatures of locals).
/// </summary>
public static class NanoIlRules
{
    public static IReadOnlyList<string> Check(string assemblyPath) => Check(assemblyPath, Array.Empty<string>());

    public static IReadOnlyList<string> Check(string assemblyPath, IReadOnlyCollection<string> allowedReferences)
    {
        using var stream = File.OpenRead(assemblyPath);
        return Check(stream, allowedReferences);
    }

    public static IReadOnlyList<string> Check(Stream assembly) => Check(assembly, Array.Empty<string>());

    /// <param name="allowedReferences">Assemblies besides mscorlib the assembly may reference: for the
    /// firmware, exactly those its .nfproj lists (tools/FirmwareCheck), themselves nanoFramework libraries.</param>
    public static IReadOnlyList<string> Check(Stream assembly, IReadOnlyCollection<string> allowedReferences)
    {
        using var pe = new PEReader(assembly);
        var md = pe.GetMetadataReader();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var shapes = new ShapeFinder(md, found);

        foreach (var handle in md.AssemblyReferences)
        {
            var name = md.GetString(md.GetAssemblyReference(handle).Name);
            if (name != "mscorlib" && !allowedReferences.Contains(name))
                found.Add(allowedReferences.Count == 0
                    ? $"assembly reference: {name} (only mscorlib is allowed)"
                    : $"assembly reference: {name} (only mscorlib and {string.Join(", ", allowedReferences)} are allowed)");
        }

        foreach (var handle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(handle);
            var typeName = FullName(md, type);
            if (type.GetGenericParameters().Count > 0)
                found.Add($"generic type definition: {typeName}");

            foreach (var fieldHandle in type.GetFields())
            {
                var field = md.GetFieldDefinition(fieldHandle);
                shapes.Where = $"field {typeName}.{md.GetString(field.Name)}";
                field.DecodeSignature(shapes, null);
            }

            foreach (var methodHandle in type.GetMethods())
            {
                var method = md.GetMethodDefinition(methodHandle);
                var where = $"method {typeName}.{md.GetString(method.Name)}";
                if (method.GetGenericParameters().Count > 0)
                    found.Add($"generic method definition: {where}");
                shapes.Where = where;
                method.DecodeSignature(shapes, null);
                if (method.RelativeVirtualAddress != 0)
                {
                    var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                    if (!body.LocalSignature.IsNil)
                        md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(shapes, null);
                }
            }
        }

        foreach (var handle in md.TypeReferences)
        {
            var reference = md.GetTypeReference(handle);
            var name = md.GetString(reference.Name);
            if (name.Contains('`'))
                found.Add($"generic type reference: {md.GetString(reference.Namespace)}.{name}");
        }

        for (var row = 1; row <= md.GetTableRowCount(TableIndex.TypeSpec); row++)
        {
            var handle = MetadataTokens.TypeSpecificationHandle(row);
            shapes.Where = "type specification";
            md.GetTypeSpecification(handle).DecodeSignature(shapes, null);
        }

        foreach (var handle in md.MemberReferences)
        {
            var member = md.GetMemberReference(handle);
            shapes.Where = $"member reference {md.GetString(member.Name)}";
            if (member.GetKind() == MemberReferenceKind.Method)
                member.DecodeMethodSignature(shapes, null);
            else
                member.DecodeFieldSignature(shapes, null);
        }

        for (var row = 1; row <= md.GetTableRowCount(TableIndex.MethodSpec); row++)
        {
            var handle = MetadataTokens.MethodSpecificationHandle(row);
            var spec = md.GetMethodSpecification(handle);
            found.Add($"generic method instantiation: {MethodName(md, spec.Method)}");
        }

        return found.ToList();
    }

    static string FullName(MetadataReader md, TypeDefinition type)
    {
        var ns = md.GetString(type.Namespace);
        var name = md.GetString(type.Name);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    static string MethodName(MetadataReader md, EntityHandle method) => method.Kind switch
    {
        HandleKind.MethodDefinition => md.GetString(md.GetMethodDefinition((MethodDefinitionHandle)method).Name),
        HandleKind.MemberReference => md.GetString(md.GetMemberReference((MemberReferenceHandle)method).Name),
        _ => method.Kind.ToString(),
    };

    /// <summary>Decodes signatures into readable names and records the shapes nanoFramework lacks.</summary>
    sealed class ShapeFinder(MetadataReader md, ISet<string> found) : ISignatureTypeProvider<string, object?>
    {
        public string Where { get; set; } = "";

        public string GetArrayType(string elementType, ArrayShape shape)
        {
            found.Add($"multidimensional array {elementType}[{new string(',', shape.Rank - 1)}] in {Where}");
            return elementType + "[,]";
        }

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments)
        {
            found.Add($"generic instantiation {genericType}<{string.Join(",", typeArguments)}> in {Where}");
            return genericType;
        }

        public string GetGenericMethodParameter(object? context, int index)
        {
            found.Add($"generic method parameter !!{index} in {Where}");
            return "!!" + index;
        }

        public string GetGenericTypeParameter(object? context, int index)
        {
            found.Add($"generic type parameter !{index} in {Where}");
            return "!" + index;
        }

        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPinnedType(string elementType) => elementType;
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
            => md.GetString(reader.GetTypeDefinition(handle).Name);

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
            => md.GetString(reader.GetTypeReference(handle).Name);

        public string GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind)
            => reader.GetTypeSpecification(handle).DecodeSignature(this, context);
    }
}
