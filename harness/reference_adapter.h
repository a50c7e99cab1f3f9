// The reference adapter: runs the built-in login client in-process.
#pragma once

#include "harness/adapter.h"
#include "harness/reference_client.h"

namespace loginspec::harness {

class ReferenceAdapter final : public ClientAdapter {
 public:
  explicit ReferenceAdapter(ReferenceFaults faults = {}) : faults_(faults) {}
  std::string name() const override;
  std::string version() override;
  std::optional<std::string> unsupported(const std::string& capability) const override;
  LoginAttempt login(const LoginRequest& request) override;

 private:
  ReferenceFaults faults_;
};

}  // namespace loginspec::harness
