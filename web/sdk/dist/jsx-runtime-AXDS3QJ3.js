import{a as u,b as p}from"./chunk-5BEVYMCJ.js";var d=u(t=>{"use strict";var v=Symbol.for("react.transitional.element"),a=Symbol.for("react.fragment");function n(j,r,e){var s=null;if(e!==void 0&&(s=""+e),r.key!==void 0&&(s=""+r.key),"key"in r){e={};for(var o in r)o!=="key"&&(e[o]=r[o])}else e=r;return r=e.ref,{$$typeof:v,type:j,key:s,ref:r!==void 0?r:null,props:e}}t.Fragment=a;t.jsx=n;t.jsxs=n});var E=u((m,x)=>{"use strict";x.exports=d()});var l=p(E()),i=l.default??l,T=i,{Fragment:f,jsx:_,jsxs:c}=i;export{f as Fragment,T as default,_ as jsx,c as jsxs};
/*! Bundled license information:

react/cjs/react-jsx-runtime.production.js:
  (**
   * @license React
   * react-jsx-runtime.production.js
   *
   * Copyright (c) Meta Platforms, Inc. and affiliates.
   *
   * This source code is licensed under the MIT license found in the
   * LICENSE file in the root directory of this source tree.
   *)
*/
