// XmlDocument: a parsed XML document over libxml2 (RAII) with the few read operations S3's
// responses need, and XmlEscape for building request bodies.
#ifndef VDIBK_SHARED_S3_XML_DOCUMENT_H_
#define VDIBK_SHARED_S3_XML_DOCUMENT_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/base/result.h"

struct _xmlDoc;
struct _xmlNode;

namespace vdibk::s3 {

// A non-owning view of one element; valid while its XmlDocument lives. Names are local names
// (S3's default namespace is ignored).
class XmlElement {
 public:
  explicit XmlElement(_xmlNode* node) : node_(node) {}
  std::string_view name() const;
  // The concatenated text content (entities decoded).
  std::string Text() const;
  // Direct child elements named `name` (all children when `name` is empty), in document order.
  std::vector<XmlElement> Children(std::string_view name = {}) const;
  std::optional<XmlElement> Child(std::string_view name) const;
  // Text of the first child `name`, or "" when there is none.
  std::string ChildText(std::string_view name) const;

 private:
  _xmlNode* node_;
};

// Move-only owner of a parsed document.
class XmlDocument {
 public:
  // Parses `text` without network access, DTD loading or entity expansion. Malformed input or no
  // root element fails with kIntegrity naming the parser's complaint.
  static Result<XmlDocument> Parse(std::string_view text);
  XmlDocument(XmlDocument&&) noexcept;
  XmlDocument& operator=(XmlDocument&&) noexcept;
  ~XmlDocument();

  XmlElement root() const;

 private:
  explicit XmlDocument(_xmlDoc* doc) : doc_(doc) {}
  _xmlDoc* doc_ = nullptr;
};

// `text` as XML character data with & < > " ' and CR/LF/TAB escaped. Fails (kUsage) on bytes XML
// 1.0 cannot carry at all (control characters other than TAB, LF, CR).
Result<std::string> XmlEscape(std::string_view text);

}  // namespace vdibk::s3

#endif  // VDIBK_SHARED_S3_XML_DOCUMENT_H_
